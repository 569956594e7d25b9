// Package parsec is the Go SDK of the Parsec security service: a Client that
// talks to parsecd and Keys that live in it and implement crypto.Signer and
// crypto.Decrypter. It binds the C++ client core (the same core the C++ and
// Python SDKs use) through SWIG, so endpoint, authenticator and provider
// choice, conversions and errors behave the same in every language.
//
// Every request method takes a context.Context first. The request runs in the
// core on its own connection; if ctx is cancelled or its deadline passes
// first, the method returns ctx.Err() at once and the abandoned request
// finishes in the background (bounded by the client timeout), its result
// discarded and, for secret outputs, wiped.
//
// A Client is safe for concurrent use by many goroutines; so is a Key. The
// package writes nothing to stdout or stderr.
package parsec

import (
	"context"
	"sync"
	"time"

	"github.com/parsec-cpp/parsec-cpp/sdk-go/internal/native"
)

// Client talks to one Parsec service. Create it with NewClient and Close it
// when done.
type Client struct {
	// mu guards n: requests hold it shared for the length of the native call,
	// Close holds it exclusively to delete the native client.
	mu sync.RWMutex
	n  native.Client
}

type settings struct {
	endpoint string
	appName  string
	provider *ProviderID
	auth     *AuthType
	timeout  *time.Duration
	maxBody  *uint32
}

// Option configures a Client in NewClient.
type Option func(*settings)

// WithEndpoint sets the service endpoint ("unix:/run/parsec/parsec.sock").
// Default: $PARSEC_SERVICE_ENDPOINT, else unix:/run/parsec/parsec.sock.
func WithEndpoint(uri string) Option { return func(s *settings) { s.endpoint = uri } }

// WithAppName sets the application name sent by Direct authentication.
func WithAppName(name string) Option { return func(s *settings) { s.appName = name } }

// WithProvider chooses the provider of cryptographic operations. Default: the
// first one the service lists (ListProviders).
func WithProvider(p ProviderID) Option { return func(s *settings) { s.provider = &p } }

// WithAuthType forces the authenticator: AuthDirect (needs WithAppName),
// AuthUnixPeerCredentials or AuthNoAuth. Default: the first authenticator the
// service lists that the client can use.
func WithAuthType(a AuthType) Option { return func(s *settings) { s.auth = &a } }

// WithTimeout bounds each wait on connect, write and read of a request (the
// core's timeout; default 60 s; 0 waits forever). A context deadline shorter
// than this returns earlier.
func WithTimeout(d time.Duration) Option { return func(s *settings) { s.timeout = &d } }

// WithMaxResponseBodyLen limits the size of a response body (default 16 MiB).
func WithMaxResponseBodyLen(n uint32) Option { return func(s *settings) { s.maxBody = &n } }

// NewClient creates a client. No request is sent: the authenticator and the
// provider are discovered on first need unless set with options.
func NewClient(opts ...Option) (*Client, error) {
	var s settings
	for _, o := range opts {
		o(&s)
	}
	e := native.NewError()
	defer native.DeleteError(e)
	n := native.ClientCreate(s.endpoint, e)
	if err := errorFrom(e); err != nil {
		return nil, err
	}
	c := &Client{n: n}
	if s.appName != "" {
		n.Set_app_name(s.appName)
	}
	if s.timeout != nil {
		c.SetTimeout(*s.timeout)
	}
	if s.maxBody != nil {
		n.Set_max_response_body_len(uint(*s.maxBody))
	}
	if s.provider != nil {
		if err := c.SetProvider(*s.provider); err != nil {
			c.Close()
			return nil, err
		}
	}
	if s.auth != nil {
		if err := c.SetAuthType(*s.auth); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// Close releases the client. It waits for the requests in flight (including
// ones abandoned by a cancelled context) and makes later calls return
// ErrClosed. Keys made by the client stop working too.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n != nil {
		native.DeleteClient(c.n)
		c.n = nil
	}
	return nil
}

// with runs f on the native client under the shared lock (settings, no request).
func (c *Client) with(f func(n native.Client) error) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.n == nil {
		return ErrClosed
	}
	return f(c.n)
}

// Endpoint returns the endpoint URI ("unix:/path").
func (c *Client) Endpoint() string {
	var uri string
	_ = c.with(func(n native.Client) error { uri = n.Endpoint(); return nil })
	return uri
}

// SetTimeout changes the per-wait timeout of later requests.
func (c *Client) SetTimeout(d time.Duration) {
	ms := d.Milliseconds()
	if ms < 0 {
		ms = 0
	}
	if ms > int64(^uint32(0)) {
		ms = int64(^uint32(0))
	}
	_ = c.with(func(n native.Client) error { n.Set_timeout_ms(uint(ms)); return nil })
}

// SetProvider chooses the provider of later cryptographic requests.
func (c *Client) SetProvider(p ProviderID) error {
	return c.with(func(n native.Client) error {
		e := native.NewError()
		defer native.DeleteError(e)
		n.Set_provider(int(p), e)
		return errorFrom(e)
	})
}

// SetAuthType forces the authenticator of later requests.
func (c *Client) SetAuthType(a AuthType) error {
	return c.with(func(n native.Client) error {
		e := native.NewError()
		defer native.DeleteError(e)
		n.Set_auth_type(native.ParsecAuthType(a), e)
		return errorFrom(e)
	})
}

// UseDefaultProvider forgets a chosen provider: the next request asks the
// service for its default again.
func (c *Client) UseDefaultProvider() {
	_ = c.with(func(n native.Client) error { n.Use_default_provider(); return nil })
}

// UseDefaultAuth forgets a forced or discovered authenticator: the next
// request that needs an identity discovers it again.
func (c *Client) UseDefaultAuth() {
	_ = c.with(func(n native.Client) error { n.Use_default_auth(); return nil })
}

// SetAppName changes the application name of Direct authentication.
func (c *Client) SetAppName(name string) {
	_ = c.with(func(n native.Client) error { n.Set_app_name(name); return nil })
}

// Provider returns the provider in use, asking the service (ListProviders)
// if none was chosen yet.
func (c *Client) Provider(ctx context.Context) (ProviderID, error) {
	return call(ctx, c, func(n native.Client, e native.Error) ProviderID { return ProviderID(n.Provider(e)) })
}

// AuthType returns the authenticator in use, discovering it if needed.
func (c *Client) AuthType(ctx context.Context) (AuthType, error) {
	return call(ctx, c, func(n native.Client, e native.Error) AuthType { return AuthType(n.Auth_type(e)) })
}

// call runs one native request under the client's shared lock and honours ctx.
// A context that can never be cancelled runs the request on the calling
// goroutine; otherwise it runs on its own goroutine and call returns ctx.Err()
// as soon as ctx is done.
func call[T any](ctx context.Context, c *Client, f func(n native.Client, e native.Error) T) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	run := func() (T, error) {
		c.mu.RLock()
		defer c.mu.RUnlock()
		if c.n == nil {
			return zero, ErrClosed
		}
		e := native.NewError()
		defer native.DeleteError(e)
		v := f(c.n, e)
		if err := errorFrom(e); err != nil {
			return zero, err
		}
		return v, nil
	}
	if ctx.Done() == nil {
		return run()
	}
	done := make(chan outcome[T], 1)
	go func() {
		v, err := run()
		done <- outcome[T]{v, err}
	}()
	select {
	case o := <-done:
		return o.v, o.err
	case <-ctx.Done():
		// The request goes on in the core; wipe its result when it arrives.
		go func() {
			o := <-done
			wipeValue(o.v)
		}()
		return zero, ctx.Err()
	}
}

// outcome carries a request's result from its goroutine (Go 1.19 allows no
// type declaration inside a generic function).
type outcome[T any] struct {
	v   T
	err error
}

// wipeValue zeroes an abandoned byte result (it may be a secret).
func wipeValue(v interface{}) {
	if b, ok := v.([]byte); ok {
		for i := range b {
			b[i] = 0
		}
	}
}

// withKeyAttributes converts attrs for the duration of f.
func withKeyAttributes[T any](attrs KeyAttributes, f func(na native.KeyAttributes) (T, error)) (T, error) {
	na, err := attrs.toNative()
	if err != nil {
		var zero T
		return zero, err
	}
	defer native.DeleteKeyAttributes(na)
	return f(na)
}

// withAlgorithm converts alg for the duration of f.
func withAlgorithm[T any](alg Algorithm, f func(na native.Algorithm) (T, error)) (T, error) {
	na, err := alg.toNative()
	if err != nil {
		var zero T
		return zero, err
	}
	defer native.DeleteAlgorithm(na)
	return f(na)
}
