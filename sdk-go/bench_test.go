package parsec_test

import (
	"context"
	"crypto"
	"crypto/sha256"
	"errors"
	"testing"

	parsec "github.com/parsec-cpp/parsec-cpp/sdk-go"
	"github.com/parsec-cpp/parsec-cpp/sdk-go/internal/corebench"
)

// BenchmarkECDSAP256Sign compares, against the same daemon and key (software
// provider), one ECDSA P-256 signature (SHA-256 digest, DER result):
//
//	go-sdk          Key.Sign (crypto.Signer) through the SWIG binding
//	go-sdk-ctx      Key.SignContext with a cancellable context (own goroutine)
//	cpp-core        the C++ core's Key::sign_hash in a C++ loop (no Go, no SWIG)
//
// Each iteration is one request over a new Unix-socket connection.
func BenchmarkECDSAP256Sign(b *testing.B) {
	c := newClient(b, parsec.WithProvider(parsec.ProviderMbedCrypto))
	k := generate(b, c, parsec.ECCKeyPair(256, parsec.ECDSA(parsec.HashSHA256)))
	d := sha256.Sum256([]byte("benchmark"))
	b.Run("go-sdk", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := k.Sign(nil, d[:], crypto.SHA256); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("go-sdk-ctx", func(b *testing.B) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		for i := 0; i < b.N; i++ {
			if _, err := k.SignContext(ctx, d[:], crypto.SHA256); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cpp-core", func(b *testing.B) {
		if err := corebench.Sign(k.Name(), int(parsec.ProviderMbedCrypto), b.N); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkPing: the cheapest request (no crypto), where the binding's share
// of a call is largest.
func BenchmarkPing(b *testing.B) {
	c := newClient(b)
	ctx := context.Background()
	b.Run("go-sdk", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := c.Ping(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cpp-core", func(b *testing.B) {
		if err := corebench.Ping(c.Endpoint(), false, b.N); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkPingNoDaemon: a Ping to a socket path where nothing listens fails
// in the client (connect: ENOENT), so no daemon or IPC noise is measured: the
// difference between the two is the Go binding's own cost per call (cgo
// calls, the Error object, the error conversion).
func BenchmarkPingNoDaemon(b *testing.B) {
	endpoint := "unix:" + b.TempDir() + "/none.sock"
	c := newClient(b, parsec.WithEndpoint(endpoint))
	ctx := context.Background()
	b.Run("go-sdk", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := c.Ping(ctx); !errors.Is(err, parsec.ErrServiceUnavailable) {
				b.Fatal(err)
			}
		}
	})
	b.Run("cpp-core", func(b *testing.B) {
		if err := corebench.Ping(endpoint, true, b.N); err != nil {
			b.Fatal(err)
		}
	})
}
