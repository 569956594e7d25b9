package parsec_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"testing"

	parsec "github.com/parsec-cpp/parsec-cpp/sdk-go"
)

func digest(h crypto.Hash, msg []byte) []byte {
	w := h.New()
	w.Write(msg)
	return w.Sum(nil)
}

func TestECDSASignerVerifiedByGo(t *testing.T) {
	for _, p := range providers(t) {
		p := p
		t.Run(fmt.Sprint(p), func(t *testing.T) {
			c := newClient(t, parsec.WithProvider(p))
			k := generate(t, c, parsec.ECCKeyPair(256, parsec.ECDSA(parsec.HashSHA256)))
			pub, ok := k.Public().(*ecdsa.PublicKey)
			if !ok || pub.Curve != elliptic.P256() {
				t.Fatalf("Public() = %T, want a P-256 *ecdsa.PublicKey", k.Public())
			}
			msg := []byte("signed by parsecd, checked by crypto/ecdsa")
			d := digest(crypto.SHA256, msg)
			sig, err := k.Sign(rand.Reader, d, crypto.SHA256)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if !ecdsa.VerifyASN1(pub, d, sig) {
				t.Fatalf("crypto/ecdsa rejects the DER signature %x", sig)
			}
			// The message variant: the service hashes, Go verifies.
			msig, err := k.SignMessage(context.Background(), msg)
			if err != nil || !ecdsa.VerifyASN1(pub, d, msig) {
				t.Fatalf("SignMessage: %v (verified: %v)", err, err == nil && ecdsa.VerifyASN1(pub, d, msig))
			}
			if err := k.VerifyMessage(context.Background(), msg, msig); err != nil {
				t.Fatalf("VerifyMessage of a good signature: %v", err)
			}
			if err := k.VerifyMessage(context.Background(), []byte("other"), msig); !errors.Is(err, parsec.ErrInvalidSignature) {
				t.Fatalf("VerifyMessage of another message: %v, want ErrInvalidSignature", err)
			}
			// The policy names SHA-256: SHA-384 is refused before any request.
			_, err = k.Sign(rand.Reader, digest(crypto.SHA384, msg), crypto.SHA384)
			var perr *parsec.Error
			if !errors.Is(err, parsec.ErrNotPermitted) || !errors.As(err, &perr) || perr.FromService {
				t.Fatalf("Sign SHA-384 on an ECDSA-SHA256 key: %v, want a client-side ErrNotPermitted", err)
			}
			if _, err := k.Sign(rand.Reader, d, &rsa.PSSOptions{Hash: crypto.SHA256}); !errors.Is(err, parsec.ErrNotPermitted) {
				t.Fatalf("PSS options on an ECDSA key: %v", err)
			}
			if _, err := k.Sign(rand.Reader, d[:31], crypto.SHA256); !errors.Is(err, parsec.ErrInvalidArgument) {
				t.Fatalf("short digest: %v", err)
			}
		})
	}
}

func TestECDSAAnyHashPolicy(t *testing.T) {
	c := newClient(t, parsec.WithProvider(parsec.ProviderMbedCrypto))
	k := generate(t, c, parsec.ECCKeyPair(384, parsec.ECDSA(parsec.HashAny)))
	pub := k.Public().(*ecdsa.PublicKey)
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		d := digest(h, []byte("any hash"))
		sig, err := k.Sign(nil, d, h)
		if err != nil || !ecdsa.VerifyASN1(pub, d, sig) {
			t.Fatalf("%v: %v", h, err)
		}
	}
}

func TestRSASignerVerifiedByGo(t *testing.T) {
	for _, p := range providers(t) {
		p := p
		t.Run(fmt.Sprint(p), func(t *testing.T) {
			c := newClient(t, parsec.WithProvider(p))
			msg := []byte("RSA through parsecd")

			pkcs1 := generate(t, c, parsec.RSAKeyPair(2048, parsec.RSAPKCS1v15Sign(parsec.HashAny)))
			pub, ok := pkcs1.Public().(*rsa.PublicKey)
			if !ok || pub.N.BitLen() != 2048 {
				t.Fatalf("Public() = %T, want a 2048-bit *rsa.PublicKey", pkcs1.Public())
			}
			for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384} {
				d := digest(h, msg)
				sig, err := pkcs1.Sign(rand.Reader, d, h)
				if err != nil {
					t.Fatalf("Sign PKCS#1 v1.5 %v: %v", h, err)
				}
				if err := rsa.VerifyPKCS1v15(pub, h, d, sig); err != nil {
					t.Fatalf("crypto/rsa rejects the PKCS#1 v1.5 %v signature: %v", h, err)
				}
			}
			d := digest(crypto.SHA256, msg)
			if _, err := pkcs1.Sign(rand.Reader, d, &rsa.PSSOptions{Hash: crypto.SHA256}); !errors.Is(err, parsec.ErrNotPermitted) {
				t.Fatalf("PSS on a PKCS#1 v1.5 key: %v, want ErrNotPermitted", err)
			}

			pss := generate(t, c, parsec.RSAKeyPair(2048, parsec.RSAPSS(parsec.HashSHA256)))
			ppub := pss.Public().(*rsa.PublicKey)
			for _, salt := range []int{rsa.PSSSaltLengthEqualsHash, rsa.PSSSaltLengthAuto, 32} {
				opts := &rsa.PSSOptions{Hash: crypto.SHA256, SaltLength: salt}
				sig, err := pss.Sign(rand.Reader, d, opts)
				if err != nil {
					t.Fatalf("Sign PSS (salt option %d): %v", salt, err)
				}
				// TLS 1.3 verifies with the salt length equal to the hash length.
				if err := rsa.VerifyPSS(ppub, crypto.SHA256, d, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}); err != nil {
					t.Fatalf("crypto/rsa rejects the PSS signature (salt = hash length): %v", err)
				}
			}
			if _, err := pss.Sign(rand.Reader, d, &rsa.PSSOptions{Hash: crypto.SHA256, SaltLength: 20}); !errors.Is(err, parsec.ErrNotPermitted) {
				t.Fatalf("PSS with a 20-byte salt: %v, want ErrNotPermitted", err)
			}
			if _, err := pss.Sign(rand.Reader, d, crypto.SHA256); !errors.Is(err, parsec.ErrNotPermitted) {
				t.Fatalf("PKCS#1 v1.5 on a PSS key: %v, want ErrNotPermitted", err)
			}
			d384 := sha512.Sum384(msg)
			if _, err := pss.Sign(rand.Reader, d384[:], &rsa.PSSOptions{Hash: crypto.SHA384}); !errors.Is(err, parsec.ErrNotPermitted) {
				t.Fatalf("PSS SHA-384 on a PSS-SHA256 key: %v, want ErrNotPermitted", err)
			}
		})
	}
}

func TestRSADecrypterDecryptsGoCiphertexts(t *testing.T) {
	for _, p := range providers(t) {
		p := p
		t.Run(fmt.Sprint(p), func(t *testing.T) {
			c := newClient(t, parsec.WithProvider(p))
			secret := []byte("a session key of 32 bytes.......")

			oaep := generate(t, c, parsec.RSAKeyPair(2048, parsec.RSAOAEP(parsec.HashSHA256)))
			pub := oaep.Public().(*rsa.PublicKey)
			ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, secret, nil)
			if err != nil {
				t.Fatal(err)
			}
			pt, err := oaep.Decrypt(rand.Reader, ct, &rsa.OAEPOptions{Hash: crypto.SHA256})
			if err != nil || string(pt) != string(secret) {
				t.Fatalf("Decrypt OAEP: %q, %v", pt, err)
			}
			if _, err := oaep.Decrypt(rand.Reader, ct, &rsa.OAEPOptions{Hash: crypto.SHA384}); !errors.Is(err, parsec.ErrNotPermitted) {
				t.Fatalf("OAEP SHA-384 on an OAEP-SHA256 key: %v, want ErrNotPermitted", err)
			}
			if _, err := oaep.Decrypt(rand.Reader, ct, nil); !errors.Is(err, parsec.ErrNotPermitted) {
				t.Fatalf("PKCS#1 v1.5 on an OAEP key: %v, want ErrNotPermitted", err)
			}
			// The service's own encryption, decrypted by the service.
			ct2, err := oaep.Encrypt(context.Background(), secret, nil)
			if err != nil {
				t.Fatal(err)
			}
			if pt, err := oaep.Decrypt(nil, ct2, &rsa.OAEPOptions{Hash: crypto.SHA256}); err != nil || string(pt) != string(secret) {
				t.Fatalf("Encrypt then Decrypt: %q, %v", pt, err)
			}

			v15 := generate(t, c, parsec.RSAKeyPair(2048, parsec.RSAPKCS1v15Crypt()))
			ct, err = rsa.EncryptPKCS1v15(rand.Reader, v15.Public().(*rsa.PublicKey), secret)
			if err != nil {
				t.Fatal(err)
			}
			if pt, err := v15.Decrypt(rand.Reader, ct, nil); err != nil || string(pt) != string(secret) {
				t.Fatalf("Decrypt PKCS#1 v1.5: %q, %v", pt, err)
			}
			if pt, err := v15.Decrypt(rand.Reader, ct, &rsa.PKCS1v15DecryptOptions{}); err != nil || string(pt) != string(secret) {
				t.Fatalf("Decrypt PKCS#1 v1.5 (options): %q, %v", pt, err)
			}
			// A corrupted ciphertext fails in the service...
			bad := append([]byte(nil), ct...)
			bad[len(bad)-1] ^= 1
			if _, err := v15.Decrypt(rand.Reader, bad, nil); err == nil {
				t.Fatal("corrupted PKCS#1 v1.5 ciphertext decrypted")
			}
			// ...and, with SessionKeyLen, yields random bytes of that length (no oracle).
			got, err := v15.Decrypt(rand.Reader, bad, &rsa.PKCS1v15DecryptOptions{SessionKeyLen: 32})
			if err != nil || len(got) != 32 || string(got) == string(secret) {
				t.Fatalf("SessionKeyLen on a bad ciphertext: %x, %v", got, err)
			}
		})
	}
}
