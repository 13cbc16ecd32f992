//go:build linux

package sharedlib_test

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

// Built once per test binary: the faas-runtime-sharedlib build and the
// static default build.
var (
	buildOnce          sync.Once
	buildDir           string
	sharedRT, staticRT string
	buildErr           string
	libMu              sync.Mutex
	libs               = map[string]string{}
)

func TestMain(m *testing.M) {
	code := m.Run()
	printBenchTable()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// runtimes returns the sharedlib build and the default build.
func runtimes(t testing.TB) (shared, static string) {
	t.Helper()
	buildOnce.Do(func() {
		d, err := os.MkdirTemp("", "sharedlib-test-")
		if err != nil {
			buildErr = err.Error()
			return
		}
		buildDir = d
		staticRT = testutil.GoBuild(t, d, "./cmd/faas-runtime", "faas-runtime")
		sharedRT = testutil.GoBuild(t, d, "./cmd/faas-runtime", "faas-runtime-sharedlib", "GOFLAGS=-buildvcs=false -tags=sharedlib")
	})
	if buildErr != "" || sharedRT == "" {
		t.Fatalf("building the runtimes failed: %s", buildErr)
	}
	return sharedRT, staticRT
}

// cLib compiles a C source of this repository into a shared library.
func cLib(t testing.TB, src, name string, defines ...string) string {
	t.Helper()
	runtimes(t) // for buildDir
	libMu.Lock()
	defer libMu.Unlock()
	if p, ok := libs[name]; ok {
		return p
	}
	testutil.Need(t, "gcc")
	root := testutil.RepoRoot(t)
	out := filepath.Join(buildDir, name)
	args := append([]string{"-shared", "-fPIC", "-O2", "-Wall", "-I", filepath.Join(root, "include"), "-o", out}, defines...)
	args = append(args, filepath.Join(root, src))
	if b, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc %v: %v\n%s", args, err, b)
	}
	libs[name] = out
	return out
}

func testLib(t testing.TB, name string, defines ...string) string {
	return cLib(t, "runtime/modes/sharedlib/testdata/testfn.c", name, defines...)
}

// startBox runs cmd (runtime, library, args...) behind the emulator and
// checks the exactly-once ledger at the end; allowNone lists request ids
// that may end without a post (runtime crashes).
func startBox(t *testing.T, cmd []string, env ...string) (*sandbox.Sandbox, *testutil.SyncBuffer, map[string]bool) {
	t.Helper()
	log := &testutil.SyncBuffer{}
	led := emulatortest.NewLedger()
	sb, err := sandbox.Start(sandbox.Options{Command: cmd, Env: env, Timeout: 10 * time.Second, Stdout: log, Stderr: log, Observe: led.Observe})
	if err != nil {
		t.Fatal(err)
	}
	allowNone := map[string]bool{}
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

func invoke(t *testing.T, sb *sandbox.Sandbox, payload string, opts ...emulator.InvokeOptions) *emulator.Result {
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
