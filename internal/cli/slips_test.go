package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// faas-runtime --help says what selects http mode, and PORT is not it.
func TestFaasRuntimeHelpOnPORT(t *testing.T) {
	out, _, code := testutil.Run(t, exec.Command(testutil.Binary(t, "./cmd/faas-runtime"), "--help"))
	if code != 0 || !strings.Contains(out, "PORT alone") || strings.Contains(out, "FAAS_HTTP_PORT /\n") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

// A versioned soname (libz.so.1) is a shared library, not an executable
// to chmod +x: faas-runtime (here without sharedlib mode) infers sharedlib.
func TestVersionedSonameIsSharedlib(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "libz.so.1")
	os.WriteFile(lib, []byte("\x7fELF"), 0o644)
	out, _, code := runCLI(t, "", "invoke", "--runtime", testutil.Binary(t, "./cmd/faas-runtime"), "--", lib)
	if code != 1 || !strings.Contains(out, `\"sharedlib\" is not a handler mode of this build`) || strings.Contains(out, "chmod") {
		t.Fatalf("exit %d: %s", code, out)
	}
}

// build --oci-layout makes a directory others can read (0755), as any
// output directory.
func TestOCILayoutDirMode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	fn := testutil.Binary(t, "./examples/hello-go")
	if _, logs, code := runCLI(t, "", "build", fn, "--base", "scratch", "--runtime", testutil.Binary(t, "./cmd/faas-runtime"), "--oci-layout", dir); code != 0 {
		t.Fatalf("exit %d: %s", code, logs)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("%s: %v %v, want 0755", dir, fi.Mode().Perm(), err)
	}
}

// README's Dockerfile example uses the Alpine that scaffold writes; the
// install docs tell pacman users to upgrade fully (-Syu), as Arch and MSYS2
// require.
func TestDocsMatchScaffold(t *testing.T) {
	root := testutil.RepoRoot(t)
	readme, _ := os.ReadFile(filepath.Join(root, "README.md"))
	m := regexp.MustCompile(`FROM alpine:(\S+)`).FindSubmatch(readme)
	out, logs, code := scaffoldCLI(t, nil, "scaffold", "--dry-run", "--base", "alpine", filepath.Join(t.TempDir(), "fn"))
	s := regexp.MustCompile(`ARG BASE_IMAGE=\S*alpine:(\S+)`).FindStringSubmatch(out)
	if code != 0 || m == nil || s == nil || string(m[1]) != s[1] {
		t.Fatalf("README alpine %q, scaffold %q (exit %d %s)", m, s, code, logs)
	}
	docs, _ := os.ReadFile(filepath.Join(root, "docs", "installers.md"))
	if regexp.MustCompile(`pacman -Sy\b[^u]`).Match(docs) || !strings.Contains(string(docs), "pacman -Syu") {
		t.Fatal("docs/installers.md: pacman -Sy without u (a partial upgrade)")
	}
}
