package parsec_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"

	parsec "github.com/parsec-cpp/parsec-cpp/sdk-go"
)

// 64 goroutines sign at once through one Client and one Key, per provider;
// every signature is checked by crypto/ecdsa.
func TestSixtyFourGoroutinesSign(t *testing.T) {
	for _, p := range providers(t) {
		p := p
		t.Run(fmt.Sprint(p), func(t *testing.T) {
			c := newClient(t, parsec.WithProvider(p))
			k := generate(t, c, parsec.ECCKeyPair(256, parsec.ECDSA(parsec.HashSHA256)))
			pub := k.Public().(*ecdsa.PublicKey)
			const workers, rounds = 64, 3
			var wg sync.WaitGroup
			errs := make(chan error, workers*rounds)
			start := make(chan struct{})
			for w := 0; w < workers; w++ {
				w := w
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					for r := 0; r < rounds; r++ {
						d := sha256.Sum256([]byte(fmt.Sprintf("goroutine %d round %d", w, r)))
						sig, err := k.Sign(rand.Reader, d[:], crypto.SHA256)
						if err != nil {
							errs <- err
						} else if !ecdsa.VerifyASN1(pub, d[:], sig) {
							errs <- fmt.Errorf("goroutine %d round %d: signature does not verify", w, r)
						}
					}
				}()
			}
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

// A client and a key handle keep working across a daemon restart: requests
// made while the daemon is down fail with ErrServiceUnavailable only, and the
// first ones after it succeed with the same (persistent) key.
func TestDaemonRestartMidway(t *testing.T) {
	script, dir := os.Getenv("PARSEC_TESTBED"), os.Getenv("PARSEC_TESTBED_DIR")
	if script == "" || dir == "" {
		t.Fatal("the restart test needs PARSEC_TESTBED and PARSEC_TESTBED_DIR (the testbed's env)")
	}
	c := newClient(t, parsec.WithProvider(parsec.ProviderMbedCrypto))
	k := generate(t, c, parsec.ECCKeyPair(256, parsec.ECDSA(parsec.HashSHA256)))
	pub := k.Public().(*ecdsa.PublicKey)
	d := sha256.Sum256([]byte("across a restart"))
	sign := func() error {
		sig, err := k.Sign(rand.Reader, d[:], crypto.SHA256)
		if err == nil && !ecdsa.VerifyASN1(pub, d[:], sig) {
			return errors.New("signature does not verify")
		}
		return err
	}
	if err := sign(); err != nil {
		t.Fatal(err)
	}

	restarted := make(chan error, 1)
	go func() {
		out, err := exec.Command(script, "restart", dir).CombinedOutput()
		if err != nil {
			err = fmt.Errorf("%v: %s", err, out)
		}
		restarted <- err
	}()
	var ok, down int
	for running := true; running; {
		select {
		case err := <-restarted:
			if err != nil {
				t.Fatalf("testbed restart: %v", err)
			}
			running = false
		default:
			switch err := sign(); {
			case err == nil:
				ok++
			case errors.Is(err, parsec.ErrServiceUnavailable):
				down++
			default:
				t.Fatalf("during the restart: %v (want success or ErrServiceUnavailable)", err)
			}
		}
	}
	t.Logf("during the restart: %d signatures, %d ErrServiceUnavailable", ok, down)
	for i := 0; i < 5; i++ {
		if err := sign(); err != nil {
			t.Fatalf("after the restart: %v", err)
		}
	}
}

func TestCertificateRequests(t *testing.T) {
	for _, tc := range []struct {
		name  string
		attrs parsec.KeyAttributes
		alg   x509.SignatureAlgorithm
	}{
		{"ecdsa", parsec.ECCKeyPair(256, parsec.ECDSA(parsec.HashSHA256)), x509.ECDSAWithSHA256},
		{"rsa-pss", parsec.RSAKeyPair(2048, parsec.RSAPSS(parsec.HashAny)), x509.SHA256WithRSAPSS},
		{"rsa-pkcs1", parsec.RSAKeyPair(2048, parsec.RSAPKCS1v15Sign(parsec.HashSHA384)), x509.SHA384WithRSA},
	} {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, parsec.WithProvider(parsec.ProviderMbedCrypto))
			k := generate(t, c, tc.attrs)
			der, err := k.CreateCertificateRequest(&x509.CertificateRequest{
				Subject: pkix.Name{CommonName: "svc.example"}, DNSNames: []string{"svc.example"}})
			if err != nil {
				t.Fatalf("CreateCertificateRequest: %v", err)
			}
			csr, err := x509.ParseCertificateRequest(der)
			if err != nil || csr.CheckSignature() != nil || csr.SignatureAlgorithm != tc.alg {
				t.Fatalf("CSR: %v, signature %v, algorithm %v", err, csr.CheckSignature(), csr.SignatureAlgorithm)
			}
			// The core's CSR builder, checked by Go.
			der, err = k.CreateCSR(ctx, pkix.Name{CommonName: "core.example", Organization: []string{"Parsec"}}, "core.example", "10.0.0.1")
			if err != nil {
				t.Fatalf("CreateCSR: %v", err)
			}
			csr, err = x509.ParseCertificateRequest(der)
			if err != nil || csr.CheckSignature() != nil || csr.Subject.CommonName != "core.example" ||
				len(csr.DNSNames) != 1 || len(csr.IPAddresses) != 1 {
				t.Fatalf("core CSR: %v %+v", err, csr)
			}
		})
	}
}

// The SDK writes nothing on stdout or stderr (file descriptors 1 and 2, so the
// C++ core is covered too), including on errors.
func TestNoOutput(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved1, _ := syscall.Dup(1)
	saved2, _ := syscall.Dup(2)
	syscall.Dup3(int(w.Fd()), 1, 0)
	syscall.Dup3(int(w.Fd()), 2, 0)
	restore := func() {
		syscall.Dup3(saved1, 1, 0)
		syscall.Dup3(saved2, 2, 0)
	}
	var failures []error
	func() {
		defer restore()
		c, err := parsec.NewClient(parsec.WithProvider(parsec.ProviderPKCS11))
		if err != nil {
			failures = append(failures, err)
			return
		}
		defer c.Close()
		k, err := c.GenerateKey(ctx, keyName(t), parsec.ECCKeyPair(256, parsec.ECDSA(parsec.HashSHA256)))
		if err != nil {
			failures = append(failures, err)
			return
		}
		d := sha256.Sum256(nil)
		if _, err := k.Sign(nil, d[:], crypto.SHA256); err != nil {
			failures = append(failures, err)
		}
		if _, err := k.Sign(nil, d[:], crypto.SHA384); err == nil {
			failures = append(failures, errors.New("SHA-384 signature on a SHA-256 key"))
		}
		if _, err := c.ExportPublicKey(ctx, "go-no-such-key"); err == nil {
			failures = append(failures, errors.New("export of a missing key"))
		}
		if err := k.Destroy(ctx); err != nil {
			failures = append(failures, err)
		}
	}()
	for _, err := range failures {
		t.Error(err)
	}
	w.Close()
	out, _ := io.ReadAll(r)
	if len(out) != 0 {
		t.Fatalf("the SDK wrote %q", out)
	}
}
