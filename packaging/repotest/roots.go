package repotest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// PMToolsDir holds microdnf and apk-tools 2 and 3 as built by
// ../shared/package-managers (make apk-tools).
const PMToolsDir = "/opt/faas-pm/bin"

// PMTool finds microdnf, apk2 or apk3 in PMToolsDir.
func PMTool(t testing.TB, name string) string {
	t.Helper()
	testutil.Slow(t, "needs "+name)
	p := filepath.Join(PMToolsDir, name)
	if _, err := os.Stat(p); err != nil {
		testutil.Unavailable(t, "%s not found in %s: run `make apk-tools`", name, PMToolsDir)
	}
	return p
}

// DebianRoot unpacks the cached debootstrap'd bookworm root
// (testutil.DebianRootTar, made once per machine) into a temporary directory.
func DebianRoot(t testing.TB) string {
	t.Helper()
	testutil.NeedRoot(t)
	testutil.Need(t, "tar", "chroot")
	tarPath := testutil.DebianRootTar(t)
	root := t.TempDir()
	if out, err := exec.Command("tar", "--numeric-owner", "-C", root, "-xf", tarPath).CombinedOutput(); err != nil {
		t.Fatalf("tar -x: %v\n%s", err, out)
	}
	return root
}
