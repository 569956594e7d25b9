// Command mtls shows mutual TLS where the client's private key lives in
// parsecd: the key is generated in the service, a throwaway CA signs its CSR,
// and crypto/tls signs the handshake through the key's crypto.Signer. The
// server (plain crypto/tls, in the same process on 127.0.0.1) requires and
// verifies the client certificate.
//
//	mtls [-provider 1|2|3]      (PARSEC_SERVICE_ENDPOINT names the service)
//
// It runs TLS 1.2 and TLS 1.3 with an ECDSA P-256 key and an RSA-PSS key and
// prints one line per handshake.
package main

import (
	"bufio"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"time"

	parsec "github.com/parsec-cpp/parsec-cpp/sdk-go"
)

// CA is a throwaway certificate authority (its key is an in-memory Go key).
type CA struct {
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

var serial int64

func nextSerial() *big.Int { serial++; return big.NewInt(time.Now().UnixNano() + serial) }

// NewCA creates the CA.
func NewCA() (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: nextSerial(), Subject: pkix.Name{CommonName: "mtls example CA"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return &CA{Cert: cert, key: key}, err
}

// Pool holds the CA certificate.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// Issue signs a certificate for pub (server or client use).
func (ca *CA) Issue(subject pkix.Name, pub crypto.PublicKey, usage x509.ExtKeyUsage, ips ...net.IP) (*x509.Certificate, error) {
	tmpl := &x509.Certificate{
		SerialNumber: nextSerial(), Subject: subject, IPAddresses: ips,
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, pub, ca.key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// IssueFromCSR checks a PKCS#10 request and certifies its key for client use.
func (ca *CA) IssueFromCSR(der []byte) (*x509.Certificate, error) {
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, err
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("CSR signature: %w", err)
	}
	return ca.Issue(csr.Subject, csr.PublicKey, x509.ExtKeyUsageClientAuth)
}

// ClientIdentity generates `name` in parsecd, has the CA certify it through a
// CSR that parsecd signs, and returns the tls.Certificate for the client.
func ClientIdentity(ctx context.Context, c *parsec.Client, ca *CA, name string, attrs parsec.KeyAttributes) (*parsec.Key, tls.Certificate, error) {
	key, err := c.GenerateKey(ctx, name, attrs)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	csr, err := key.CreateCertificateRequest(&x509.CertificateRequest{Subject: pkix.Name{CommonName: name}})
	if err != nil {
		return key, tls.Certificate{}, err
	}
	cert, err := ca.IssueFromCSR(csr)
	if err != nil {
		return key, tls.Certificate{}, err
	}
	tc, err := key.TLSCertificate(cert)
	return key, tc, err
}

// Result is what one handshake established.
type Result struct {
	Version        uint16
	CipherSuite    uint16
	ServerSawPeer  string // CN of the client certificate the server verified
	ServerVerified bool   // the server built a chain to the CA
}

func (r Result) String() string {
	return fmt.Sprintf("%s, %s, server verified client certificate CN=%q: %v",
		versionName(r.Version), tls.CipherSuiteName(r.CipherSuite), r.ServerSawPeer, r.ServerVerified)
}

func versionName(v uint16) string {
	switch v {
	case tls.VersionTLS12:
		return "TLS 1.2"
	case tls.VersionTLS13:
		return "TLS 1.3"
	}
	return fmt.Sprintf("TLS 0x%04x", v)
}

// Handshake runs a crypto/tls server on 127.0.0.1 that requires a client
// certificate from ca, connects the client with clientCert at exactly
// `version`, exchanges one line, and reports what the server verified.
func Handshake(ca *CA, clientCert tls.Certificate, version uint16) (Result, error) {
	serverKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Result{}, err
	}
	serverCert, err := ca.Issue(pkix.Name{CommonName: "127.0.0.1"}, &serverKey.PublicKey, x509.ExtKeyUsageServerAuth,
		net.IPv4(127, 0, 0, 1))
	if err != nil {
		return Result{}, err
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{serverCert.Raw}, PrivateKey: serverKey, Leaf: serverCert}},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    ca.Pool(),
		MinVersion:   version, MaxVersion: version,
	})
	if err != nil {
		return Result{}, err
	}
	defer ln.Close()

	type served struct {
		peer     string
		verified bool
		err      error
	}
	done := make(chan served, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			done <- served{err: err}
			return
		}
		defer conn.Close()
		tc := conn.(*tls.Conn)
		if err := tc.Handshake(); err != nil {
			done <- served{err: fmt.Errorf("server handshake: %w", err)}
			return
		}
		st := tc.ConnectionState()
		if len(st.PeerCertificates) == 0 {
			done <- served{err: errors.New("server: no client certificate")}
			return
		}
		cn := st.PeerCertificates[0].Subject.CommonName
		_, err = io.WriteString(tc, "hello "+cn+"\n")
		done <- served{peer: cn, verified: len(st.VerifiedChains) > 0, err: err}
	}()

	conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{
		RootCAs:      ca.Pool(),
		Certificates: []tls.Certificate{clientCert},
		MinVersion:   version, MaxVersion: version,
	})
	if err != nil {
		<-done
		return Result{}, fmt.Errorf("client handshake: %w", err)
	}
	defer conn.Close()
	// The server closes right after its line: read up to the newline (a TLS
	// read may return the data together with io.EOF).
	greeting, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		s := <-done
		return Result{}, fmt.Errorf("client read: %w (server: %v)", err, s.err)
	}
	s := <-done
	if s.err != nil {
		return Result{}, s.err
	}
	if greeting != "hello "+s.peer+"\n" {
		return Result{}, fmt.Errorf("unexpected greeting %q", greeting)
	}
	st := conn.ConnectionState()
	return Result{Version: st.Version, CipherSuite: st.CipherSuite, ServerSawPeer: s.peer, ServerVerified: s.verified}, nil
}

// KeyKinds are the client keys the example uses: RSA keys sign with PSS
// (TLS 1.3 allows nothing else for RSA; TLS 1.2 accepts it too).
var KeyKinds = []struct {
	Name  string
	Attrs parsec.KeyAttributes
}{
	{"ECDSA P-256", parsec.ECCKeyPair(256, parsec.ECDSA(parsec.HashSHA256))},
	{"RSA-2048 PSS", parsec.RSAKeyPair(2048, parsec.RSAPSS(parsec.HashAny))},
}

func main() {
	provider := flag.Int("provider", 0, "Parsec provider id (default: the service's first)")
	flag.Parse()
	if err := run(parsec.ProviderID(*provider)); err != nil {
		fmt.Fprintln(os.Stderr, "mtls:", err)
		os.Exit(1)
	}
}

func run(provider parsec.ProviderID) error {
	ctx := context.Background()
	var opts []parsec.Option
	if provider != 0 {
		opts = append(opts, parsec.WithProvider(provider))
	}
	c, err := parsec.NewClient(opts...)
	if err != nil {
		return err
	}
	defer c.Close()
	ca, err := NewCA()
	if err != nil {
		return err
	}
	for _, kind := range KeyKinds {
		name := fmt.Sprintf("mtls-example-%d-%d", os.Getpid(), len(kind.Name))
		key, cert, err := ClientIdentity(ctx, c, ca, name, kind.Attrs)
		if key != nil {
			defer key.Destroy(ctx)
		}
		if err != nil {
			return err
		}
		for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
			r, err := Handshake(ca, cert, v)
			if err != nil {
				return fmt.Errorf("%s, %s: %w", kind.Name, versionName(v), err)
			}
			fmt.Printf("%s client key in parsecd: %s\n", kind.Name, r)
		}
	}
	return nil
}
