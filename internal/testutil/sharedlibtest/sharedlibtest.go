//go:build linux

// Package sharedlibtest builds what sharedlib mode's tests run — the
// faas-runtime-sharedlib build, the default static build, C and Rust
// function libraries — and runs them behind the emulator, checking that
// every invocation got exactly one response or error. Used by
// runtime/modes/sharedlib's tests and by test/e2e/sharedlib (images,
// packages, arm64 under qemu).
package sharedlibtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator/emulatortest"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/sandbox"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// Built once per test binary into one directory, removed by Cleanup.
var (
	mu                 sync.Mutex
	buildDir           string
	sharedRT, staticRT string
	libs               = map[string]string{}
	rustLib            string
)

// Cleanup removes what this package built; call it from TestMain.
func Cleanup() {
	mu.Lock()
	defer mu.Unlock()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
}

// dir is the build directory, made on first use (mu held).
func dir(t testing.TB) string {
	if buildDir == "" {
		d, err := os.MkdirTemp("", "sharedlib-test-")
		if err != nil {
			t.Fatal(err)
		}
		buildDir = d
	}
	return buildDir
}

// Runtimes returns the sharedlib build and the default build of
// cmd/faas-runtime.
func Runtimes(t testing.TB) (shared, static string) {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if sharedRT == "" {
		d := dir(t)
		staticRT = testutil.GoBuild(t, d, "./cmd/faas-runtime", "faas-runtime")
		sharedRT = testutil.GoBuild(t, d, "./cmd/faas-runtime", "faas-runtime-sharedlib", "GOFLAGS=-buildvcs=false -tags=sharedlib")
	}
	return sharedRT, staticRT
}

// CLib compiles src, a C source of this repository, into the shared
// library name (once per name) against include/.
func CLib(t testing.TB, src, name string, defines ...string) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if p, ok := libs[name]; ok {
		return p
	}
	testutil.Need(t, "gcc")
	root := testutil.RepoRoot(t)
	out := filepath.Join(dir(t), name)
	args := append([]string{"-shared", "-fPIC", "-O2", "-Wall", "-I", filepath.Join(root, "include"), "-o", out}, defines...)
	args = append(args, filepath.Join(root, src))
	if b, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc %v: %v\n%s", args, err, b)
	}
	libs[name] = out
	return out
}

// TestLib compiles runtime/modes/sharedlib/testdata/testfn.c, the test
// function with a behaviour per event, into name.
func TestLib(t testing.TB, name string, defines ...string) string {
	return CLib(t, "runtime/modes/sharedlib/testdata/testfn.c", name, defines...)
}

// Cargo is rustup's cargo, usually not on root's PATH.
func Cargo(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("cargo"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cargo", "bin", "cargo")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	testutil.Unavailable(t, "cargo is not installed (rustup installs it in ~/.cargo/bin)")
	return ""
}

// RustLib builds examples/sharedlib-rust (cargo, offline, std only) once
// per test binary, into a target directory in the test cache that every
// test binary shares (cargo locks it), so the second build is a no-op.
func RustLib(t testing.TB) string {
	t.Helper()
	c := Cargo(t)
	mu.Lock()
	defer mu.Unlock()
	if rustLib == "" {
		target := filepath.Join(testutil.TestCache(t), "cargo-target-sharedlib-rust")
		cmd := exec.Command(c, "build", "--offline", "--release", "--target-dir", target)
		cmd.Dir = filepath.Join(testutil.RepoRoot(t), "examples", "sharedlib-rust")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("cargo build: %v\n%s", err, out)
		}
		// A copy: the next cargo build may rewrite the shared one.
		rustLib = filepath.Join(dir(t), "libfaas_echo.so")
		if b, err := os.ReadFile(filepath.Join(target, "release", "libfaas_echo.so")); err != nil || os.WriteFile(rustLib, b, 0o755) != nil {
			t.Fatalf("copying the Rust example's library: %v", err)
		}
	}
	return rustLib
}

// Start runs cmd (runtime, library, args...) behind the emulator and
// checks the exactly-once ledger when the test ends; allowNone lists
// request ids that may end without a post (runtime crashes).
func Start(t *testing.T, cmd []string, env ...string) (sb *sandbox.Sandbox, log *testutil.SyncBuffer, allowNone map[string]bool) {
	t.Helper()
	log = &testutil.SyncBuffer{}
	led := emulatortest.NewLedger()
	sb, err := sandbox.Start(sandbox.Options{Command: cmd, Env: env, Timeout: 10 * time.Second, Stdout: log, Stderr: log, Observe: led.Observe})
	if err != nil {
		t.Fatal(err)
	}
	allowNone = map[string]bool{}
	t.Cleanup(func() {
		sb.Close()
		if err := led.CheckExactlyOnce(allowNone); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Logf("runtime log:\n%s", log)
		}
	})
	return sb, log, allowNone
}

// Invoke invokes sb once with payload (within 30 s) and returns the result.
func Invoke(t *testing.T, sb *sandbox.Sandbox, payload string, opts ...emulator.InvokeOptions) *emulator.Result {
	t.Helper()
	var o emulator.InvokeOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := sb.Invoke(ctx, []byte(payload), o)
	if err != nil {
		t.Fatalf("invoke %q: %v", payload, err)
	}
	return res
}
