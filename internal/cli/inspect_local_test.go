package cli_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// inspect takes a local OCI layout or tarball without its prefix; --sbom
// counts in words; build --tarball and inspect tarball: say why their
// digests differ.
func TestInspectLocalImages(t *testing.T) {
	dir := t.TempDir()
	fn, rt := testutil.Binary(t, "./examples/hello-go"), testutil.Binary(t, "./cmd/faas-runtime")
	layout, tar := filepath.Join(dir, "out"), filepath.Join(dir, "fn.tar")
	out, logs, code := runCLI(t, "", "build", fn, "--runtime", rt, "--oci-layout", layout)
	if code != 0 {
		t.Fatal(logs)
	}
	ociDigest := strings.Fields(out)[1]
	for _, arg := range []string{layout, layout + "/"} {
		out, logs, code = runCLI(t, "", "inspect", arg)
		if code != 0 || !strings.Contains(out, "oci-layout:"+layout) || !strings.Contains(out, ociDigest) {
			t.Errorf("inspect %s: exit %d\n%s%s", arg, code, out, logs)
		}
	}
	for arg, want := range map[string]string{"./no-such-dir": "no such file or directory", dir: "without an oci-layout file"} {
		if _, logs, code := runCLI(t, "", "inspect", arg); code != 2 || !strings.Contains(logs, want) || strings.Contains(logs, "unreachable") {
			t.Errorf("inspect %s: exit %d, %s", arg, code, logs)
		}
	}
	if _, logs, code := runCLI(t, "", "inspect", "--sbom", layout); code != 2 || !strings.Contains(logs, "(got 1 image, 1 not in a registry)") {
		t.Errorf("inspect --sbom LAYOUT: exit %d, %s", code, logs)
	}

	const why = "a docker-save tarball stores no manifest"
	out, logs, code = runCLI(t, "", "build", fn, "--runtime", rt, "--tarball", tar)
	if code != 0 || strings.Fields(out)[1] != ociDigest || !strings.Contains(logs, why) {
		t.Fatalf("build --tarball: exit %d\n%s%s", code, out, logs)
	}
	out, logs, code = runCLI(t, "", "inspect", tar)
	if code != 0 || strings.Contains(out, ociDigest) || !strings.Contains(out, "digest sha256:") || !strings.Contains(logs, why) {
		t.Fatalf("inspect %s: exit %d\n%s%s", tar, code, out, logs)
	}
}
