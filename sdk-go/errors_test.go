package parsec_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"testing"
	"time"

	parsec "github.com/parsec-cpp/parsec-cpp/sdk-go"
)

// expectStatus checks that err is an *Error with the status, operation and
// origin given, reachable through both errors.Is (sentinel) and errors.As.
func expectStatus(t *testing.T, err error, sentinel error, op string, fromService bool) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("error %v does not match %v", err, sentinel)
	}
	var perr *parsec.Error
	if !errors.As(err, &perr) {
		t.Fatalf("error %v (%T) is not a *parsec.Error", err, err)
	}
	if perr.Operation != op || perr.FromService != fromService || perr.Status != sentinel.(parsec.Status) {
		t.Fatalf("error %+v: want operation %q, from service %v, status %v", perr, op, fromService, sentinel)
	}
}

// Each sentinel, produced by a real answer of the daemon.
func TestSentinelErrorsFromTheDaemon(t *testing.T) {
	c := newClient(t, parsec.WithProvider(parsec.ProviderMbedCrypto))
	k := generate(t, c, parsec.ECCKeyPair(256, parsec.ECDSA(parsec.HashSHA256)))
	d := sha256.Sum256([]byte("x"))

	_, err := c.ExportPublicKey(ctx, "go-no-such-key")
	expectStatus(t, err, parsec.ErrKeyNotFound, "PsaExportPublicKey", true)

	err = c.CreateKey(ctx, k.Name(), k.Attributes())
	expectStatus(t, err, parsec.ErrAlreadyExists, "PsaGenerateKey", true)

	// The client-level call sends what it is given: the service applies the policy.
	_, err = c.SignHash(ctx, k.Name(), parsec.ECDSA(parsec.HashSHA384), make([]byte, 48))
	expectStatus(t, err, parsec.ErrNotPermitted, "PsaSignHash", true)

	sig, err := c.SignHash(ctx, k.Name(), parsec.ECDSA(parsec.HashSHA256), d[:])
	if err != nil {
		t.Fatal(err)
	}
	if err := c.VerifyHash(ctx, k.Name(), parsec.ECDSA(parsec.HashSHA256), d[:], sig); err != nil {
		t.Fatalf("VerifyHash of a good signature: %v", err)
	}
	sig[5] ^= 0xff
	err = c.VerifyHash(ctx, k.Name(), parsec.ECDSA(parsec.HashSHA256), d[:], sig)
	expectStatus(t, err, parsec.ErrInvalidSignature, "PsaVerifyHash", true)

	_, err = c.PrepareKeyAttestation(ctx, k.Name(), "")
	expectStatus(t, err, parsec.ErrNotSupported, "PrepareKeyAttestation", true)

	_, err = c.ListClients(ctx)
	expectStatus(t, err, parsec.ErrAdminOperation, "ListClients", true)

	// A digest whose length does not fit the algorithm's hash.
	_, err = c.SignHash(ctx, k.Name(), parsec.ECDSA(parsec.HashSHA256), d[:31])
	expectStatus(t, err, parsec.ErrInvalidArgument, "PsaSignHash", true)

	// Direct authentication as the testbed's admin may list clients.
	admin := newClient(t, parsec.WithAppName(os.Getenv("PARSEC_TESTBED_ADMIN")), parsec.WithAuthType(parsec.AuthDirect))
	if _, err := admin.ListClients(ctx); err != nil {
		t.Fatalf("ListClients as admin: %v", err)
	}
	// Direct without a name is refused by the client before any request.
	noName := newClient(t, parsec.WithAuthType(parsec.AuthDirect))
	_, err = noName.ListKeys(ctx)
	expectStatus(t, err, parsec.ErrAuthentication, "ListKeys", false)
}

func TestServiceUnavailable(t *testing.T) {
	c := newClient(t, parsec.WithEndpoint("unix:"+t.TempDir()+"/none.sock"), parsec.WithProvider(parsec.ProviderMbedCrypto))
	_, err := c.Ping(ctx)
	expectStatus(t, err, parsec.ErrServiceUnavailable, "Ping", false)
	if _, err := parsec.NewClient(parsec.WithEndpoint("tcp://127.0.0.1:1")); !errors.Is(err, parsec.ErrServiceUnavailable) {
		t.Fatalf("bad endpoint scheme: %v", err)
	}
}

func TestClosedClient(t *testing.T) {
	c, err := parsec.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := c.Ping(ctx); !errors.Is(err, parsec.ErrClosed) {
		t.Fatalf("Ping after Close: %v", err)
	}
	c.Close() // idempotent
}

// RSA-4096 generation on the software provider takes seconds: long enough
// for a context to end while the request is in the service.
func TestContextDeadlineAndCancellation(t *testing.T) {
	c, err := parsec.NewClient(parsec.WithProvider(parsec.ProviderMbedCrypto))
	if err != nil {
		t.Fatal(err)
	}
	slow := parsec.RSAKeyPair(4096, parsec.RSAPKCS1v15Sign(parsec.HashSHA256))
	names := []string{keyName(t), keyName(t)}
	defer func() {
		c.Close() // waits for the abandoned requests
		cleanup := newClient(t)
		cleanup.SetProvider(parsec.ProviderMbedCrypto)
		for _, n := range names {
			if err := cleanup.DestroyKey(ctx, n); err != nil && !errors.Is(err, parsec.ErrKeyNotFound) {
				t.Errorf("DestroyKey %s: %v", n, err)
			}
		}
	}()

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Ping(cancelled); !errors.Is(err, context.Canceled) {
		t.Fatalf("Ping with a cancelled context: %v", err)
	}

	dctx, dcancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer dcancel()
	start := time.Now()
	_, err = c.GenerateKey(dctx, names[0], slow)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("GenerateKey past its deadline: %v, want context.DeadlineExceeded", err)
	}
	if el := time.Since(start); el > 500*time.Millisecond {
		t.Fatalf("GenerateKey returned %v after a 50 ms deadline", el)
	}

	cctx, ccancel := context.WithCancel(ctx)
	start = time.Now()
	timer := time.AfterFunc(50*time.Millisecond, ccancel)
	defer timer.Stop()
	_, err = c.GenerateKey(cctx, names[1], slow)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled GenerateKey: %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 500*time.Millisecond {
		t.Fatalf("GenerateKey returned %v after its cancellation at 50 ms", el)
	}
	// The client stays usable.
	if _, err := c.Ping(ctx); err != nil {
		t.Fatalf("Ping after the cancellations: %v", err)
	}
}
