package attest_test

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/sbom"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/attest"
	"github.com/faas-runtime/faas-runtime/packaging/packages"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// release lays out a small release the way faas-pkg does: a binary, a
// layer zip with it as bootstrap, and a source archive.
func release(t *testing.T) (string, *packages.Result) {
	t.Helper()
	dir := t.TempDir()
	bin := testutil.GoBuild(t, filepath.Join(dir, "bin", "linux_amd64"), "./cmd/faas-runtime", "faas-runtime", "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	data, _ := os.ReadFile(bin)
	os.MkdirAll(filepath.Join(dir, "layers"), 0o755)
	f, _ := os.Create(filepath.Join(dir, "layers", "faas-runtime-layer-1.2.3-x86_64.zip"))
	zw := zip.NewWriter(f)
	w, _ := zw.Create("bootstrap")
	w.Write(data)
	zw.Close()
	f.Close()
	os.MkdirAll(filepath.Join(dir, "src"), 0o755)
	os.WriteFile(filepath.Join(dir, "src", "faas-runtime-1.2.3.tar.gz"), []byte("not really a tarball"), 0o644)
	return dir, &packages.Result{Version: "1.2.3", SourceDateEpoch: 1700000000, Files: []packages.Artifact{
		{Path: "bin/linux_amd64/faas-runtime", Kind: "binary"},
		{Path: "layers/faas-runtime-layer-1.2.3-x86_64.zip", Kind: "layer"},
		{Path: "src/faas-runtime-1.2.3.tar.gz", Kind: "source"},
	}}
}

func keys(t *testing.T) *signing.Keys {
	t.Helper()
	k, err := signing.Load(func(string) string { return "" }, t.TempDir(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// gpg and sha256sum, the commands of docs/verify.md, check what Write made.
func TestChecksumsSignedAndCheckedByGPGAndSha256sum(t *testing.T) {
	tools := testutil.Need(t, "gpg", "sha256sum")
	dir, res := release(t)
	k := keys(t)
	sboms, err := attest.Write(dir, res, k, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(sboms, " ") != "bin/linux_amd64/faas-runtime.spdx.json layers/faas-runtime-layer-1.2.3-x86_64.zip.spdx.json" {
		t.Errorf("SBOMs %v (the source archive gets none)", sboms)
	}
	for _, s := range sboms {
		raw, _ := os.ReadFile(filepath.Join(dir, s))
		d, err := sbom.Read(bytes.NewReader(raw))
		if err != nil || sbom.Validate(d) != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	sums, _ := os.ReadFile(filepath.Join(dir, attest.Checksums))
	if n := strings.Count(string(sums), "\n"); n != 5 {
		t.Errorf("SHA256SUMS has %d lines, want 3 artifacts + 2 SBOMs:\n%s", n, sums)
	}

	home := t.TempDir()
	pub, _ := k.PublicPGP(true)
	os.WriteFile(filepath.Join(dir, "faas-runtime.asc"), pub, 0o644)
	gpg := func(args ...string) (string, int) {
		cmd := exec.Command(tools[0], append([]string{"--homedir", home, "--batch"}, args...)...)
		cmd.Dir = dir
		o, e, code := testutil.Run(t, cmd)
		return o + e, code
	}
	if out, code := gpg("--import", "faas-runtime.asc"); code != 0 {
		t.Fatalf("gpg --import: %s", out)
	}
	out, code := gpg("--verify", attest.Signature, attest.Checksums)
	if code != 0 || !strings.Contains(out, "Good signature") || !strings.Contains(out, k.Fingerprint()[len(k.Fingerprint())-16:]) {
		t.Fatalf("gpg --verify: exit %d\n%s", code, out)
	}
	cmd := exec.Command(tools[1], "-c", attest.Checksums)
	cmd.Dir = dir
	if o, e, code := testutil.Run(t, cmd); code != 0 || strings.Count(o, ": OK") != 5 {
		t.Fatalf("sha256sum -c: exit %d\n%s%s", code, o, e)
	}

	t.Run("a changed file fails sha256sum -c", func(t *testing.T) {
		p := filepath.Join(dir, "src", "faas-runtime-1.2.3.tar.gz")
		orig, _ := os.ReadFile(p)
		defer os.WriteFile(p, orig, 0o644)
		os.WriteFile(p, []byte("tampered"), 0o644)
		cmd := exec.Command(tools[1], "-c", attest.Checksums)
		cmd.Dir = dir
		if o, _, code := testutil.Run(t, cmd); code == 0 || !strings.Contains(o, "faas-runtime-1.2.3.tar.gz: FAILED") {
			t.Errorf("sha256sum -c accepted a changed file: %s", o)
		}
	})
	t.Run("a changed SHA256SUMS fails gpg --verify", func(t *testing.T) {
		p := filepath.Join(dir, attest.Checksums)
		defer os.WriteFile(p, sums, 0o644)
		os.WriteFile(p, append([]byte("0000  evil\n"), sums...), 0o644)
		if out, code := gpg("--verify", attest.Signature, attest.Checksums); code == 0 {
			t.Errorf("gpg accepted a changed SHA256SUMS:\n%s", out)
		}
	})
}

func TestWriteIsReproducible(t *testing.T) {
	dir, res := release(t)
	k := keys(t)
	if _, err := attest.Write(dir, res, k, nil); err != nil {
		t.Fatal(err)
	}
	first := map[string][]byte{}
	for _, n := range []string{attest.Checksums, attest.Signature, "bin/linux_amd64/faas-runtime.spdx.json"} {
		first[n], _ = os.ReadFile(filepath.Join(dir, n))
	}
	if _, err := attest.Write(dir, res, k, nil); err != nil {
		t.Fatal(err)
	}
	for n, b := range first {
		again, _ := os.ReadFile(filepath.Join(dir, n))
		if !bytes.Equal(again, b) {
			t.Errorf("%s differs between two runs", n)
		}
	}
}
