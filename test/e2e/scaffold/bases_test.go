package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/faas-runtime/faas-runtime/internal/image/standin"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/test/e2e/containers"
)

// importDebian imports the debootstrap root into podman's storage as ref
// (the reference the Dockerfiles name), labelled with where it came from.
func importDebian(t *testing.T, ref string) {
	t.Helper()
	tarPath := testutil.DebianRootTar(t)
	containers.Podman(t, "import",
		"--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"--change", `CMD ["bash"]`,
		"--change", "LABEL "+standin.Label+"=debootstrap-bookworm-minbase",
		tarPath, ref)
}

// loadStandIn puts a stand-in image into podman's storage as ref, with
// its config saying arch.
func loadStandIn(t *testing.T, img v1.Image, arch, ref string) {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Architecture = arch
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	containers.Run(t, "skopeo", "copy", "--quiet", "oci:"+dir, "containers-storage:"+ref)
}

// golangStandIn builds ref, the golang image the Dockerfiles name, as the
// official image is made: Debian bookworm (the debootstrap'd one, which
// must be imported as debianRef first) with Go in /usr/local/go — here
// this machine's Go toolchain. Labelled as a stand-in.
func golangStandIn(t *testing.T, debianRef, ref string) {
	t.Helper()
	goroot := strings.TrimSpace(containers.Run(t, "go", "env", "GOROOT"))
	ctx := t.TempDir()
	containers.Run(t, "tar", "-C", filepath.Dir(goroot), "-cf", filepath.Join(ctx, "go.tar"),
		"--exclude=testdata", "--exclude=*_test.go", "--exclude="+filepath.Base(goroot)+"/test",
		"--exclude="+filepath.Base(goroot)+"/doc", "--exclude="+filepath.Base(goroot)+"/api",
		"--transform=s,^"+filepath.Base(goroot)+",go,", filepath.Base(goroot))
	containerfile := "FROM " + debianRef + "\n" +
		"ADD go.tar /usr/local/\n" +
		"ENV PATH=/usr/local/go/bin:/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin GOPATH=/go GOTOOLCHAIN=local\n" +
		"LABEL " + standin.Label + "=\"stand-in for golang:bookworm: debootstrap'd bookworm with this machine's Go in /usr/local/go\"\n"
	if err := os.WriteFile(filepath.Join(ctx, "Containerfile"), []byte(containerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	containers.Podman(t, "build", "--pull=never", "--tag", ref, ctx)
}
