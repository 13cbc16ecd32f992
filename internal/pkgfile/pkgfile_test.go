//go:build !windows

// packaging/repo links go-apk, which does not build for Windows; these
// tests read real packages on Linux.

package pkgfile_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/pkgfile"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
)

// The binary read out of every package format is the one packaging/packages
// built (same SHA-256 as the manifest's binary artifact).
func TestReadEveryFormat(t *testing.T) {
	pkgs, m := repotest.Packages(t)
	built := map[string]string{} // bin/<goos>_<goarch>/<name> -> sha256
	for _, a := range m.Find("binary", "", "") {
		built[a.Path] = a.SHA256
	}
	seen := map[string]bool{}
	for _, kind := range []string{"rpm", "deb", "apk", "archlinux", "msys2"} {
		for _, a := range m.Find(kind, "", "") {
			if a.Package != "faas-runtime" && a.Package != "mingw-w64-ucrt-x86_64-runtime-init" {
				continue
			}
			member, bin := "usr/bin/faas-runtime", filepath.Join("bin", "linux_"+a.GOARCH, "faas-runtime")
			if kind == "msys2" {
				member, bin = "/ucrt64/bin/runtime-init.exe", filepath.Join("bin", "windows_amd64", "runtime-init.exe")
			}
			data, err := pkgfile.Read(filepath.Join(pkgs, a.Path), member)
			if err != nil {
				t.Errorf("%s: %v", a.Path, err)
				continue
			}
			sum := sha256.Sum256(data)
			if want := built[bin]; want == "" || hex.EncodeToString(sum[:]) != want {
				t.Errorf("%s: %s is not the binary built as %s", a.Path, member, bin)
			}
			seen[kind] = true
		}
	}
	if len(seen) != 5 {
		t.Errorf("read from formats %v, want all five", seen)
	}
}

func TestReadErrors(t *testing.T) {
	pkgs, m := repotest.Packages(t)
	deb := filepath.Join(pkgs, m.Find("deb", "faas-runtime", "amd64")[0].Path)
	rpm := filepath.Join(pkgs, m.Find("rpm", "faas-runtime", "amd64")[0].Path)
	notDeb := filepath.Join(t.TempDir(), "x.deb")
	os.WriteFile(notDeb, []byte("not an ar archive"), 0o644)
	for _, c := range []struct{ path, name, want string }{
		{deb, "usr/bin/nope", "no usr/bin/nope in the package"},
		{rpm, "usr/share/doc/faas-runtime", "no usr/share/doc/faas-runtime in the package"}, // a directory, not a file
		{notDeb, "usr/bin/faas-runtime", "not a .deb"},
		{"/etc/hostname", "x", "want a .deb, .apk, .rpm, .pkg.tar.zst file"},
	} {
		if _, err := pkgfile.Read(c.path, c.name); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Read(%s, %s): %v, want %q", filepath.Base(c.path), c.name, err, c.want)
		}
	}
}
