package installers

import (
	"archive/tar"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/faas-runtime/faas-runtime/packaging/signing"
	"github.com/faas-runtime/faas-runtime/test/e2e/containers"
)

// Every build runs its installer again (NoCache).
var builder = &containers.Builder{Repo: "localhost/faas-installers-e2e", NoCache: true}

// invokeWithin bounds one invocation of a built image (arm64 under qemu
// included).
const invokeWithin = 3 * time.Minute

// checkConfig reads the built image's config: its arch, non-root, the
// runtime as entrypoint.
func checkConfig(t *testing.T, image, arch, entrypoint string) {
	t.Helper()
	var info []struct {
		Architecture string
		Config       struct {
			User       string
			Entrypoint []string
		}
	}
	if err := json.Unmarshal([]byte(containers.Podman(t, "image", "inspect", image)), &info); err != nil || len(info) != 1 {
		t.Fatalf("podman image inspect: %v", err)
	}
	c := info[0].Config
	if info[0].Architecture != arch || c.User != "65532:65532" || strings.Join(c.Entrypoint, " ") != entrypoint {
		t.Errorf("image config: %s user %q entrypoint %v", info[0].Architecture, c.User, c.Entrypoint)
	}
}

func sum(b []byte) string { return fmt.Sprintf("%x", sha256.Sum256(b)) }

// cacheFiles lists the package-cache files in the layers image adds on
// top of base: an installer's cache must be cleaned in the layer that
// installed, or it stays in the image for good.
func cacheFiles(t *testing.T, image, base string) []string {
	t.Helper()
	baseLayers := map[string]bool{}
	for _, l := range strings.Fields(containers.Podman(t, "image", "inspect", "--format", "{{range .RootFS.Layers}}{{.}} {{end}}", base)) {
		baseLayers[l] = true
	}
	dir := filepath.Join(t.TempDir(), "oci")
	containers.Podman(t, "save", "-q", "--format", "oci-dir", "-o", dir, image)
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil || len(m.Manifests) != 1 {
		t.Fatalf("oci-dir of %s: %v", image, err)
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	added := 0
	for _, l := range layers {
		d, err := l.DiffID()
		if err != nil {
			t.Fatal(err)
		}
		if baseLayers[d.String()] {
			continue
		}
		added++
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			name := strings.TrimPrefix(h.Name, "./")
			if h.Typeflag == tar.TypeDir || strings.Contains(name, ".wh.") {
				continue
			}
			for _, c := range []string{"var/cache/dnf/", "var/cache/yum/", "var/cache/libdnf5/", "var/cache/apk/", "etc/apk/cache/", "tmp/packages/"} {
				if strings.HasPrefix(name, c) {
					found = append(found, name)
				}
			}
		}
		rc.Close()
	}
	if added == 0 {
		t.Fatalf("%s adds no layer to %s", image, base)
	}
	return found
}

// otherKeys are real keys that did not sign the repository.
func otherKeys(t *testing.T) (pgpArmored, apkPEM []byte) {
	t.Helper()
	e, err := signing.NewPGP("not faas-runtime", "other@example.invalid")
	if err != nil {
		t.Fatal(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	k := &signing.Keys{PGP: e, APK: rk}
	if pgpArmored, err = k.PublicPGP(true); err != nil {
		t.Fatal(err)
	}
	if apkPEM, err = k.PublicAPK(); err != nil {
		t.Fatal(err)
	}
	return pgpArmored, apkPEM
}
