package installers

import (
	"archive/tar"
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/faas-runtime/faas-runtime/internal/image/standin"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
	"github.com/faas-runtime/faas-runtime/test/e2e/containers"
)

// Every build runs its installer again (NoCache).
var builder = &containers.Builder{Repo: "localhost/faas-installers-e2e", NoCache: true}

// invokeWithin bounds one invocation of a built image (arm64 under qemu
// included).
const invokeWithin = 3 * time.Minute

// standIns builds (or loads from the cache) the named stand-in bases for
// arch with scripts/standin-bases.sh and returns their local references
// by name. Each one's label goes into the test output: these are the real
// installers, not the real distributions.
func standIns(t *testing.T, arch string, names ...string) map[string]string {
	t.Helper()
	start := time.Now()
	cmd := exec.Command("bash", append([]string{filepath.Join(testutil.RepoRoot(t), "scripts", "standin-bases.sh"), "--arch", arch}, names...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/standin-bases.sh --arch %s %v: %v\n%s", arch, names, err, testutil.Tail(stderr.Bytes()))
	}
	refs := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if name, ref, ok := strings.Cut(line, " "); ok {
			refs[name] = ref
			t.Logf("stand-in %s (%s): %s", ref, arch, label(t, ref))
		}
	}
	t.Logf("stand-ins for %s ready in %s%s", arch, time.Since(start).Round(time.Second), indent(stderr.String()))
	for _, n := range names {
		if refs[n] == "" {
			t.Fatalf("scripts/standin-bases.sh printed no reference for %s", n)
		}
		if path := installerPath[n]; path != "" {
			checkMachine(t, refs[n], path, arch)
		}
	}
	return refs
}

// installerPath is where each stand-in has its compiled installer.
var installerPath = map[string]string{
	"ubi-minimal": "/usr/bin/microdnf",
	"alpine-apk2": "/sbin/apk",
	"alpine-apk3": "/sbin/apk",
}

// checkMachine asserts that the program at path in image is built for
// arch: a foreign stand-in's installer is cross-compiled, and has to be
// the one that runs (under qemu) in that arch's builds.
func checkMachine(t *testing.T, image, path, arch string) {
	t.Helper()
	want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[arch]
	f, err := elf.NewFile(bytes.NewReader(fileFromImage(t, image, path)))
	if err != nil {
		t.Fatalf("%s in %s: %v", path, image, err)
	}
	if f.Machine != want {
		t.Fatalf("%s in %s is built for %s, not %s", path, image, f.Machine, arch)
	}
}

func indent(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return ""
	}
	return "\n\t" + strings.ReplaceAll(s, "\n", "\n\t")
}

func label(t *testing.T, ref string) string {
	t.Helper()
	l := strings.TrimSpace(containers.Podman(t, "image", "inspect", "--format", `{{index .Labels "`+standin.Label+`"}}`, ref))
	if !strings.Contains(l, "stand-in") {
		t.Fatalf("%s is not labelled as a stand-in (%s=%q)", ref, standin.Label, l)
	}
	return l
}

// goHandler builds the Go program src (one main.go) for arch into dst.
func goHandler(t *testing.T, src []byte, arch, dst string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module handler\n\ngo 1.22\n"), 0o644)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", dst, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GOPROXY=off", "GOWORK=off", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build handler: %v\n%s", err, out)
	}
}

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

// fileFromImage copies one file out of image (without running it).
func fileFromImage(t *testing.T, image, path string) []byte {
	t.Helper()
	// stdout only: podman warns on stderr when image is for another arch.
	out, err := exec.Command("podman", "create", "--pull=never", image).Output()
	if err != nil {
		t.Fatalf("podman create %s: %v", image, err)
	}
	ctr := strings.TrimSpace(string(out))
	defer exec.Command("podman", "rm", "-f", ctr).Run()
	dst := filepath.Join(t.TempDir(), filepath.Base(path))
	containers.Podman(t, "cp", ctr+":"+path, dst)
	return containers.ReadFile(t, dst)
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

// needPodman is the preamble of every test here: skipped under -short
// (why says what it runs), root, podman's lock and the tools, with the
// project's containers.conf.
func needPodman(t *testing.T, why string, tools ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: " + why)
	}
	testutil.NeedRoot(t)
	testutil.Need(t, append([]string{"podman", "debootstrap", "tar", "flock"}, tools...)...)
	testutil.LockPodman(t)
	t.Setenv("CONTAINERS_CONF", filepath.Join(testutil.RepoRoot(t), "scripts", "containers.conf"))
}
