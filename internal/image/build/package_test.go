package build

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// The runtime comes out of each of our packages (made by `make packages`,
// a prerequisite of make test) identical across formats, with its arch.
func TestRuntimeFromPackages(t *testing.T) {
	dist := filepath.Join(testutil.RepoRoot(t), "dist", "packages")
	for _, arch := range []struct{ goarch, rpm string }{{"amd64", "x86_64"}, {"arm64", "aarch64"}} {
		globs := []string{
			filepath.Join(dist, "deb", "faas-runtime_*_"+arch.goarch+".deb"),
			filepath.Join(dist, "rpm", "faas-runtime-*."+arch.rpm+".rpm"),
			filepath.Join(dist, "apk", arch.rpm, "faas-runtime-*.apk"),
		}
		var first []byte
		for _, g := range globs {
			m, _ := filepath.Glob(g)
			if len(m) == 0 {
				testutil.Unavailable(t, "no %s: run `make packages` first", g)
			}
			r, err := RuntimeFromPackage(m[0])
			if err != nil {
				t.Fatal(err)
			}
			if r.Arch != arch.goarch {
				t.Errorf("%s: arch %s, want %s", m[0], r.Arch, arch.goarch)
			}
			if first == nil {
				first = r.Data
			} else if !bytes.Equal(first, r.Data) {
				t.Errorf("%s: binary differs from the .deb's", m[0])
			}
		}
	}
	bad := filepath.Join(t.TempDir(), "x.deb")
	os.WriteFile(bad, []byte("not ar"), 0o644)
	if _, err := RuntimeFromPackage(bad); err == nil {
		t.Error("garbage .deb accepted")
	}
	if _, err := RuntimeFromPackage("/etc/hostname"); err == nil {
		t.Error("a file that is no package accepted")
	}
}
