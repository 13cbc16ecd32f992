package reliability

import (
	"archive/tar"
	"io"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/faas-runtime/faas-runtime/internal/image/standin"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// Files that must not be in a slim function image: shells (distroless has
// none, and an attacker in the function should find none) and build tools
// (they belong in builder stages).
var (
	shells     = []string{"bin/sh", "bin/bash", "bin/ash", "bin/dash", "bin/busybox", "usr/bin/sh", "usr/bin/bash", "usr/bin/busybox"}
	buildTools = []string{"go", "gcc", "cc", "g++", "clang", "cargo", "rustc", "make", "ld", "as", "apt-get", "dnf", "microdnf", "apk", "pip"}
)

// TestBuiltImagesAreHardened builds the example function with runtime-init
// build on scratch and on the distroless static stand-in, and checks each
// image: it runs as 65532 by default, and no layer holds a shell or a build
// tool.
func TestBuiltImagesAreHardened(t *testing.T) {
	ri := testutil.Binary(t, "./cmd/runtime-init")
	rt := testutil.Binary(t, "./cmd/faas-runtime")
	fn := testutil.Binary(t, "./examples/hello-go")
	dir := t.TempDir()

	distroless, err := standin.DistrolessStatic()
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(dir, "distroless.tar")
	if err := tarball.WriteToFile(base, mustRef(t, "gcr.io/distroless/static-debian12:nonroot"), distroless); err != nil {
		t.Fatal(err)
	}
	for _, b := range []struct{ name, ref string }{{"scratch", "scratch"}, {"distroless", "tarball:" + base}} {
		t.Run(b.name, func(t *testing.T) {
			out := filepath.Join(dir, b.name)
			cmd := exec.Command(ri, "build", "--base", b.ref, "--runtime", rt, "--oci-layout", out, fn)
			if o, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("runtime-init build: %v\n%s", err, o)
			}
			img := onlyImage(t, out)
			cfg, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Config.User != "65532" && cfg.Config.User != "65532:65532" {
				t.Errorf("image user %q, want 65532 (nonroot)", cfg.Config.User)
			}
			files := imageFiles(t, img)
			if !files["usr/bin/faas-runtime"] || !files["var/task/hello-go"] {
				t.Fatalf("the image lacks the runtime or the function: %v", keys(files))
			}
			for _, p := range hardeningProblems(files) {
				t.Errorf("the %s image: %s", b.name, p)
			}
		})
	}
	// The check itself can fail: a base with a shell is caught.
	bb, err := standin.Busybox()
	if err != nil {
		t.Fatal(err)
	}
	if probs := hardeningProblems(imageFiles(t, bb)); len(probs) == 0 {
		t.Fatal("the busybox stand-in (which has /bin/sh) passed the hardening check")
	}
}

func hardeningProblems(files map[string]bool) []string {
	var probs []string
	for f := range files {
		if slices.Contains(shells, f) {
			probs = append(probs, "has a shell: /"+f)
		}
		if d, base := path.Split(f); (d == "bin/" || d == "usr/bin/" || d == "usr/local/bin/" || d == "usr/local/go/bin/") && slices.Contains(buildTools, base) {
			probs = append(probs, "has a build tool: /"+f)
		}
	}
	return probs
}

func onlyImage(t *testing.T, dir string) v1.Image {
	t.Helper()
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil || len(m.Manifests) != 1 {
		t.Fatalf("want one image in %s: %v %v", dir, m, err)
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// imageFiles lists every regular file and symlink in the image's layers.
func imageFiles(t *testing.T, img v1.Image) map[string]bool {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{}
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.Typeflag == tar.TypeReg || h.Typeflag == tar.TypeSymlink || h.Typeflag == tar.TypeLink {
				files[strings.TrimPrefix(path.Clean("/"+h.Name), "/")] = true
			}
		}
		rc.Close()
	}
	return files
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func mustRef(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
