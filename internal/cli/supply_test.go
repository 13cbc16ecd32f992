package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// Bad --sign-key / --sbom-dir input is refused before anything is built
// or written, with exit 2 and a message that names the problem.
func TestBuildSupplyChainFlagRefusals(t *testing.T) {
	dir := t.TempDir()
	rt := testutil.Binary(t, "./cmd/faas-runtime")
	fn := testutil.Binary(t, "./examples/hello-go")
	notKey := filepath.Join(dir, "not-a-key")
	os.WriteFile(notKey, []byte("hello"), 0o600)
	sbomDir := filepath.Join(dir, "sboms")
	os.MkdirAll(sbomDir, 0o755)
	os.WriteFile(filepath.Join(sbomDir, "amd64.spdx.json"), []byte("{}"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--oci-layout", filepath.Join(dir, "l1"), "--sign-key", notKey}, "--sign-key signs what is pushed"},
		{[]string{"--push", "127.0.0.1:1/fn/x:v1", "--insecure", "--sign-key", notKey}, "not a PEM file"},
		{[]string{"--push", "127.0.0.1:1/fn/x:v1", "--insecure", "--sign-key", filepath.Join(dir, "missing.key")}, "no such file"},
		{[]string{"--oci-layout", filepath.Join(dir, "l2"), "--sbom-dir", sbomDir}, "pass --force"},
	} {
		args := append([]string{"build", fn, "--runtime", rt}, c.args...)
		_, errs, code := runCLI(t, "", args...)
		wantCode := 2 // usage
		if strings.Contains(c.want, "force") {
			wantCode = 1
		}
		if code != wantCode || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errs, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "l2")); err == nil {
		t.Error("the layout was written although the SBOM could not be")
	}
}
