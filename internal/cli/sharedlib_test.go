//go:build linux

package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// On Linux, runtime-init invoke runs a .so with faas-runtime-sharedlib found
// next to itself; without one it says which package to install.
func TestInvokeSharedlibFindsGlibcRuntime(t *testing.T) {
	testutil.Need(t, "gcc")
	root := testutil.RepoRoot(t)
	withRT, alone := t.TempDir(), t.TempDir()
	ri := testutil.GoBuild(t, withRT, "./cmd/runtime-init", "runtime-init")
	testutil.GoBuild(t, withRT, "./cmd/faas-runtime", "faas-runtime-sharedlib", "GOFLAGS=-buildvcs=false -tags=sharedlib")
	lib := filepath.Join(withRT, "echo.so")
	if out, err := exec.Command("gcc", "-shared", "-fPIC", "-O2", "-I", filepath.Join(root, "include"), "-o", lib, filepath.Join(root, "examples/sharedlib-c/echo.c")).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	run := func(bin string) (string, string, int) {
		cmd := exec.Command(bin, "invoke", "--event", filepath.Join(root, "examples/sharedlib-c/event.json"), "--", lib)
		cmd.Env = append(os.Environ(), "PATH=/usr/bin:/bin") // no faas-runtime-sharedlib there
		return testutil.Run(t, cmd)
	}
	if _, err := os.Stat("/usr/bin/faas-runtime-sharedlib"); err == nil {
		t.Log("faas-runtime-sharedlib is installed in /usr/bin: the not-found case cannot be shown")
	} else {
		lone := filepath.Join(alone, "runtime-init")
		b, _ := os.ReadFile(ri)
		os.WriteFile(lone, b, 0o755)
		_, stderr, code := run(lone)
		if code != 1 || !strings.Contains(stderr, "install the faas-runtime-sharedlib package") || !strings.Contains(stderr, "--runtime") {
			t.Errorf("without faas-runtime-sharedlib: exit %d, stderr %q", code, stderr)
		}
	}
	stdout, stderr, code := run(ri)
	if code != 0 || strings.TrimSpace(stdout) != `{"hello":"world"}` || !strings.Contains(stderr, "mode=sharedlib") {
		t.Fatalf("invoke echo.so: exit %d, stdout %q, stderr %s", code, stdout, stderr)
	}
}
