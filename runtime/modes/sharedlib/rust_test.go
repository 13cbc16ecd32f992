//go:build linux

package sharedlib_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// cargo is rustup's, usually not on root's PATH.
func cargo(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("cargo"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		if p := filepath.Join(home, ".cargo", "bin", "cargo"); fileExists(p) {
			return p
		}
	}
	testutil.Unavailable(t, "cargo is not installed (rustup installs it in ~/.cargo/bin)")
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

var (
	rustOnce sync.Once
	rustLibP string
)

// rustLib builds examples/sharedlib-rust once (cargo, offline, std only).
func rustLib(t *testing.T) string {
	t.Helper()
	runtimes(t)
	c := cargo(t)
	rustOnce.Do(func() {
		target := filepath.Join(buildDir, "cargo-target")
		cmd := exec.Command(c, "build", "--offline", "--release", "--target-dir", target)
		cmd.Dir = filepath.Join(testutil.RepoRoot(t), "examples", "sharedlib-rust")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("cargo build: %v\n%s", err, out)
		}
		rustLibP = filepath.Join(target, "release", "libfaas_echo.so")
	})
	if rustLibP == "" {
		t.Fatal("the Rust example did not build")
	}
	return rustLibP
}

func TestRustExample(t *testing.T) {
	rt, _ := runtimes(t)
	lib := rustLib(t)
	sb, log, _ := startBox(t, []string{rt, lib})

	res := invoke(t, sb, `{"hello":"rust"}`)
	if res.Outcome != emulator.OutcomeResponse || string(res.Body) != `{"hello":"rust"}` {
		t.Fatalf("echo: %s %q", res.Outcome, res.Body)
	}
	if !log.WaitFor("rust echo: request " + res.RequestID) {
		t.Errorf("the function's log does not name request %s", res.RequestID)
	}
	// Larger than the 64 KiB initial buffer: the Rust side calls grow.
	big := `{"pad":"` + strings.Repeat("r", 200000) + `"}`
	if res := invoke(t, sb, big); string(res.Body) != big {
		t.Fatalf("200 kB echo: %s, %d bytes", res.Outcome, len(res.Body))
	}
	res = invoke(t, sb, `{"error":1}`)
	if res.Outcome != emulator.OutcomeError || res.ErrorType != "EchoError" || !strings.Contains(string(res.Body), "the event asked for an error") {
		t.Fatalf("error return: %s %s %s", res.Outcome, res.ErrorType, res.Body)
	}
}
