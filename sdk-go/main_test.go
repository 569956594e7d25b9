package parsec_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	parsec "github.com/parsec-cpp/parsec-cpp/sdk-go"
)

// The suite runs against one real parsecd with the software provider (1), a
// SoftHSM token (2) and swtpm (3), started here with the repository's testbed
// (tests/testbed/parsec-testbed.sh) unless PARSEC_SERVICE_ENDPOINT already
// names a running one (e.g. under `parsec-testbed.sh run -- go test ./...`).
func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if os.Getenv("PARSEC_SERVICE_ENDPOINT") == "" {
		script := os.Getenv("PARSEC_TESTBED")
		if script == "" {
			script, _ = filepath.Abs("../tests/testbed/parsec-testbed.sh")
		}
		dir, err := os.MkdirTemp("", "parsec-sdk-go.")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		if out, err := exec.Command(script, "start", dir).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "testbed start failed: %v\n%s", err, out)
			return 1
		}
		defer func() {
			if out, err := exec.Command(script, "stop", dir).CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "testbed stop failed: %v\n%s", err, out)
			}
		}()
		if err := loadEnv(filepath.Join(dir, "env")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}

// loadEnv applies the testbed's DIR/env (NAME=value lines, value maybe quoted).
func loadEnv(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		name, value, ok := strings.Cut(s.Text(), "=")
		if !ok {
			continue
		}
		os.Setenv(name, strings.Trim(value, `"'`))
	}
	return s.Err()
}

// providers: the testbed's provider ids ("1 2 3").
func providers(t *testing.T) []parsec.ProviderID {
	var out []parsec.ProviderID
	for _, f := range strings.Fields(os.Getenv("PARSEC_TESTBED_PROVIDERS")) {
		var id int
		if _, err := fmt.Sscan(f, &id); err != nil {
			t.Fatalf("PARSEC_TESTBED_PROVIDERS: %v", err)
		}
		out = append(out, parsec.ProviderID(id))
	}
	if len(out) != 3 {
		t.Fatalf("the suite needs the three providers, testbed has %q", os.Getenv("PARSEC_TESTBED_PROVIDERS"))
	}
	return out
}

func newClient(t testing.TB, opts ...parsec.Option) *parsec.Client {
	t.Helper()
	c, err := parsec.NewClient(append([]parsec.Option{parsec.WithTimeout(60 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

var keySeq atomic.Int64

// keyName returns a name no other test uses in this run.
func keyName(t testing.TB) string {
	return fmt.Sprintf("go-%d-%s-%d", os.Getpid(), strings.NewReplacer("/", "-", " ", "_").Replace(t.Name()),
		keySeq.Add(1))
}

// generate makes a key and destroys it when the test ends.
func generate(t testing.TB, c *parsec.Client, attrs parsec.KeyAttributes) *parsec.Key {
	t.Helper()
	k, err := c.GenerateKey(context.Background(), keyName(t), attrs)
	if err != nil {
		t.Fatalf("GenerateKey %v: %v", attrs.Policy, err)
	}
	t.Cleanup(func() {
		if err := k.Destroy(context.Background()); err != nil {
			t.Errorf("Destroy %s: %v", k.Name(), err)
		}
	})
	return k
}
