package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	parsec "github.com/parsec-cpp/parsec-cpp/sdk-go"
)

// The handshakes run against a real parsecd (software, SoftHSM and swtpm
// providers) that TestMain starts with the repository's testbed, unless
// PARSEC_SERVICE_ENDPOINT already names one.
func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if os.Getenv("PARSEC_SERVICE_ENDPOINT") == "" {
		script := os.Getenv("PARSEC_TESTBED")
		if script == "" {
			script, _ = filepath.Abs("../../../tests/testbed/parsec-testbed.sh")
		}
		dir, err := os.MkdirTemp("", "parsec-mtls.")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		if out, err := exec.Command(script, "start", dir).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "testbed start failed: %v\n%s", err, out)
			return 1
		}
		defer exec.Command(script, "stop", dir).Run()
		f, err := os.Open(filepath.Join(dir, "env"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		s := bufio.NewScanner(f)
		for s.Scan() {
			if name, value, ok := strings.Cut(s.Text(), "="); ok {
				os.Setenv(name, strings.Trim(value, `"'`))
			}
		}
		f.Close()
	}
	return m.Run()
}

// TestMutualTLS: TLS 1.2 and 1.3, ECDSA and RSA client keys held by each
// provider; the server requires the client certificate and verifies it.
func TestMutualTLS(t *testing.T) {
	ca, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, p := range []parsec.ProviderID{parsec.ProviderMbedCrypto, parsec.ProviderPKCS11, parsec.ProviderTPM} {
		c, err := parsec.NewClient(parsec.WithProvider(p))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for i, kind := range KeyKinds {
			name := fmt.Sprintf("mtls-test-%d-%d-%d", os.Getpid(), p, i)
			key, cert, err := ClientIdentity(ctx, c, ca, name, kind.Attrs)
			if key != nil {
				defer key.Destroy(ctx)
			}
			if err != nil {
				t.Fatalf("provider %d, %s: client identity: %v", p, kind.Name, err)
			}
			for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
				r, err := Handshake(ca, cert, v)
				if err != nil {
					t.Fatalf("provider %d, %s, %s: %v", p, kind.Name, versionName(v), err)
				}
				if r.Version != v || r.ServerSawPeer != name || !r.ServerVerified {
					t.Fatalf("provider %d, %s: %+v", p, kind.Name, r)
				}
				t.Logf("%s: %s key in parsecd: %s", p, kind.Name, r)
			}
		}
	}
}

// A client certificate the CA did not issue is refused by the server: the
// check is real.
func TestServerRejectsForeignClientCertificate(t *testing.T) {
	ca, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	c, err := parsec.NewClient(parsec.WithProvider(parsec.ProviderMbedCrypto))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	key, cert, err := ClientIdentity(context.Background(), c, other, fmt.Sprintf("mtls-foreign-%d", os.Getpid()), KeyKinds[0].Attrs)
	if key != nil {
		defer key.Destroy(context.Background())
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Handshake(ca, cert, tls.VersionTLS13); err == nil {
		t.Fatal("the server accepted a client certificate from another CA")
	}
}
