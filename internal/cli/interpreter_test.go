package cli_test

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// build refuses a script whose #! interpreter the base lacks, naming the
// base to use, and builds it on a base that has it (through a symlink, as
// busybox bases do).
func TestBuildChecksScriptInterpreter(t *testing.T) {
	dir := t.TempDir()
	rt := testutil.Binary(t, "./cmd/faas-runtime")
	sh := filepath.Join(testutil.RepoRoot(t), "examples/echo-sh/handler.sh")
	_, logs, code := runCLI(t, "", "build", sh, "--runtime", rt, "--oci-layout", filepath.Join(dir, "a"))
	if code != 2 || !strings.Contains(logs, "script for /bin/sh") || !strings.Contains(logs, "base scratch") || !strings.Contains(logs, "--base docker.io/library/alpine:") {
		t.Fatalf("scratch: exit %d: %s", code, logs)
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); err == nil {
		t.Fatal("the refused build wrote its layout")
	}

	base := shellBase(t, dir)
	if _, logs, code := runCLI(t, "", "build", sh, "--base", "tarball:"+base, "--runtime", rt, "--oci-layout", filepath.Join(dir, "b")); code != 0 {
		t.Fatalf("base with /bin/sh: exit %d: %s", code, logs)
	}
	py := filepath.Join(dir, "fn.py")
	os.WriteFile(py, []byte("#!/usr/bin/env python3\nprint('{}')\n"), 0o755)
	if _, logs, code := runCLI(t, "", "build", py, "--base", "tarball:"+base, "--runtime", rt, "--oci-layout", filepath.Join(dir, "c")); code != 2 || !strings.Contains(logs, "script for /usr/bin/env") {
		t.Fatalf("env python3: exit %d: %s", code, logs)
	}
}

// shellBase writes a docker-save tarball of a base with bin/busybox and
// bin/sh -> busybox.
func shellBase(t *testing.T, dir string) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "bin/", Typeflag: tar.TypeDir, Mode: 0o755})
	tw.WriteHeader(&tar.Header{Name: "bin/busybox", Typeflag: tar.TypeReg, Mode: 0o755, Size: 4})
	tw.Write([]byte("\x7fELF"))
	tw.WriteHeader(&tar.Header{Name: "bin/sh", Typeflag: tar.TypeSymlink, Linkname: "busybox"})
	tw.Close()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "shell-base.tar")
	if err := tarball.WriteToFile(p, name.MustParseReference("shell-base:latest"), img); err != nil {
		t.Fatal(err)
	}
	return p
}

// A script whose interpreter is missing fails with a message that names
// the interpreter, not "fork/exec SCRIPT: no such file or directory".
func TestInvokeNamesMissingInterpreter(t *testing.T) {
	fn := filepath.Join(t.TempDir(), "fn.sh")
	os.WriteFile(fn, []byte("#!/nonexistent/interp\necho {}\n"), 0o755)
	out, logs, code := runCLI(t, "", "invoke", "--", fn)
	if code != 1 || !strings.Contains(out, "script for /nonexistent/interp") || strings.Contains(out+logs, "fork/exec") {
		t.Fatalf("exit %d: %s\n%s", code, out, logs)
	}
}
