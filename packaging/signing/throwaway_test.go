package signing_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// Throwaway keys go in a private directory; the dist/ directory made for
// them stays readable by others (a web server serving dist/repo).
func TestThrowawayKeysDirModes(t *testing.T) {
	dist := filepath.Join(t.TempDir(), "dist")
	keys := filepath.Join(dist, "keys")
	if _, err := signing.Load(func(string) string { return "" }, keys, io.Discard); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]os.FileMode{dist: 0o755, keys: 0o700} {
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want %v", dir, fi.Mode().Perm(), err, want)
		}
	}
}
