package containers

import (
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Podman runs podman with args and returns its output; a failure fails
// the test with the output's end.
func Podman(t *testing.T, args ...string) string {
	t.Helper()
	return Run(t, "podman", args...)
}

// Run runs name with args and returns its combined output; a failure
// fails the test with the output's end.
func Run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, testutil.Tail(out))
	}
	return string(out)
}

// ReadFile is os.ReadFile that fails the test on an error.
func ReadFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// CopyFile copies src to dst with mode, making dst's directory.
func CopyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, ReadFile(t, src), mode); err != nil {
		t.Fatal(err)
	}
}
