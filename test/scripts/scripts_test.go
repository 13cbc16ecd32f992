// Package scripts checks what a fresh clone runs first: the Makefile's
// demo and test targets and the shell scripts behind them.
package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// A bare machine has no podman, rpm tools or busybox-static: `make demo`
// and `make test` must install them before anything needs them.
func TestDemoAndTestInstallDepsFirst(t *testing.T) {
	testutil.Need(t, "make")
	for _, target := range []string{"demo", "test"} {
		// --no-print-directory, and no MAKEFLAGS/MAKELEVEL from a `make
		// test` above this test: only the recipe lines are printed.
		cmd := exec.Command("make", "--no-print-directory", "-n", target)
		cmd.Dir = testutil.RepoRoot(t)
		cmd.Env = withoutMakeEnv(os.Environ())
		out, errOut, code := testutil.Run(t, cmd)
		if code != 0 {
			t.Fatalf("make -n %s: exit %d\n%s", target, code, errOut)
		}
		first, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
		if first != "bash scripts/install-deps.sh" {
			t.Errorf("make -n %s: first command is %q, want the deps install (bash scripts/install-deps.sh)\n%s", target, first, out)
		}
	}
}

// The demo's steps in scripts/demo.d are sourced by scripts/demo.sh, so
// they are checked as bash with its variables (work, step, run) defined.
func TestScriptsPassShellcheck(t *testing.T) {
	sc := testutil.Need(t, "shellcheck")[0]
	root := testutil.RepoRoot(t)
	scripts, _ := filepath.Glob(filepath.Join(root, "scripts", "*.sh"))
	fragments, _ := filepath.Glob(filepath.Join(root, "scripts", "demo.d", "*.sh"))
	if len(scripts) == 0 || len(fragments) == 0 {
		t.Fatalf("no scripts found under %s/scripts", root)
	}
	for _, c := range []*exec.Cmd{
		exec.Command(sc, append([]string{"-S", "warning"}, scripts...)...),
		exec.Command(sc, append([]string{"-S", "warning", "-s", "bash", "-e", "SC2154"}, fragments...)...),
	} {
		if out, _, code := testutil.Run(t, c); code != 0 {
			t.Errorf("%s: exit %d\n%s", strings.Join(c.Args, " "), code, out)
		}
	}
}

func withoutMakeEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k != "MAKEFLAGS" && k != "MAKELEVEL" && k != "MFLAGS" {
			out = append(out, kv)
		}
	}
	return out
}
