package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// The version the binaries are built with comes from cmd/faas-version, a
// main with one small package: `make clean` compiles nothing and `make
// build` never compiles faas-pkg (and all it links) to learn the version.
// GO is a wrapper that logs each go command make runs.
func TestMakeCleanAndBuildDoNotCompileFaasPkg(t *testing.T) {
	testutil.Need(t, "make")
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "go.log")
	wrapper := filepath.Join(dir, "go")
	script := "#!/bin/sh\necho \"$*\" >> " + log + "\nexec " + goBin + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	runs := func(target string) []string {
		t.Helper()
		os.Remove(log)
		cmd := exec.Command("make", "--no-print-directory", "-n", target, "GO="+wrapper)
		cmd.Dir = testutil.RepoRoot(t)
		cmd.Env = withoutMakeEnv(os.Environ())
		if _, errOut, code := testutil.Run(t, cmd); code != 0 {
			t.Fatalf("make -n %s: exit %d\n%s", target, code, errOut)
		}
		b, _ := os.ReadFile(log)
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	for _, c := range runs("clean") {
		if c != "env GOPATH" {
			t.Errorf("make clean ran go %s; want only `go env GOPATH`", c)
		}
	}
	version := 0
	for _, c := range runs("build") {
		if strings.Contains(c, "faas-pkg") {
			t.Errorf("make build ran go %s", c)
		}
		if c == "run ./cmd/faas-version" {
			version++
		}
	}
	if version != 1 {
		t.Errorf("make build ran cmd/faas-version %d times, want once", version)
	}
}
