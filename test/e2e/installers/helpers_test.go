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
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/faas-runtime/faas-runtime/internal/image/standin"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/repo"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
	"github.com/faas-runtime/faas-runtime/test/e2e/containers"
)

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
		t.Fatalf("scripts/standin-bases.sh --arch %s %v: %v\n%s", arch, names, err, tail(stderr.Bytes()))
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
	l := strings.TrimSpace(podman(t, "image", "inspect", "--format", `{{index .Labels "`+standin.Label+`"}}`, ref))
	if !strings.Contains(l, "stand-in") {
		t.Fatalf("%s is not labelled as a stand-in (%s=%q)", ref, standin.Label, l)
	}
	return l
}

// scaffoldProject runs the real CLI into a new directory, pinning the
// served repository's keys (rpm/apt and apk) in the project's keys/.
func scaffoldProject(t *testing.T, cli string, args ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "fn")
	keys := []string{"--repo-key", filepath.Join(repotest.Dir(t), repo.RPMKey),
		"--repo-key", filepath.Join(repotest.Dir(t), repo.AlpineDir, signing.DefaultAPKKeyName)}
	cmd := exec.Command(cli, append(append(append([]string{"scaffold", "--name", "installers-fn"}, keys...), args...), dir)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scaffold %v: %v\n%s", args, err, out)
	}
	return dir
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

// generatedGoHandler scaffolds the Go function for mode and builds it for
// arch into dst (http mode's prebuilt web app).
func generatedGoHandler(t *testing.T, cli, mode, arch, dst string) {
	t.Helper()
	src := scaffoldProject(t, cli, "--base", "distroless", "--arch", arch, "--mode", mode, "--lang", "go")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", dst, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GOPROXY=off", "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
}

var imageSeq int

// tryBuild runs podman build on a scaffolded project and returns the tag
// and the whole build log.
func tryBuild(t *testing.T, dir, arch string, buildArgs ...string) (string, string, error) {
	t.Helper()
	imageSeq++
	tag := fmt.Sprintf("localhost/faas-installers-e2e:%s-%d-%d", arch, os.Getpid(), imageSeq)
	// --no-cache: every build runs the installer (buildah's layer cache
	// does not see a bind-mounted package change). Not --layers=false:
	// buildah 1.28 then removes intermediate stage images, and ubi-micro's
	// empty stage (FROM BASE_IMAGE AS micro-ARCH) is the base image itself,
	// which goes with it. buildah 1.28 (Debian 12's podman 4.3) does not set
	// BUILDPLATFORM.
	args := []string{"build", "--no-cache", "--pull=never", "--platform", "linux/" + arch, "--network", "host", "--tag", tag,
		"--build-arg", "BUILDPLATFORM=linux/" + runtime.GOARCH}
	for _, a := range buildArgs {
		args = append(args, "--build-arg", a)
	}
	out, err := exec.Command("podman", append(args, dir)...).CombinedOutput()
	t.Cleanup(func() { exec.Command("podman", "rmi", "-f", tag).Run() })
	return tag, string(out), err
}

func build(t *testing.T, dir, arch string, buildArgs ...string) string {
	t.Helper()
	tag, out, err := tryBuild(t, dir, arch, buildArgs...)
	if err != nil {
		t.Fatalf("podman build: %v\n%s", err, tail([]byte(out)))
	}
	return tag
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
	if err := json.Unmarshal([]byte(podman(t, "image", "inspect", image)), &info); err != nil || len(info) != 1 {
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
	podman(t, "cp", ctr+":"+path, dst)
	return readFile(t, dst)
}

func sum(b []byte) string { return fmt.Sprintf("%x", sha256.Sum256(b)) }

// cacheFiles lists the package-cache files in the layers image adds on
// top of base: an installer's cache must be cleaned in the layer that
// installed, or it stays in the image for good.
func cacheFiles(t *testing.T, image, base string) []string {
	t.Helper()
	baseLayers := map[string]bool{}
	for _, l := range strings.Fields(podman(t, "image", "inspect", "--format", "{{range .RootFS.Layers}}{{.}} {{end}}", base)) {
		baseLayers[l] = true
	}
	dir := filepath.Join(t.TempDir(), "oci")
	podman(t, "save", "-q", "--format", "oci-dir", "-o", dir, image)
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

// invoke runs image with podman and invokes it once through the emulator.
func invoke(t *testing.T, image string, event []byte) *emulator.Result {
	t.Helper()
	return containers.Invoke(t, image, event, 3*time.Minute)
}

func serve(t *testing.T, h http.Handler) string { return containers.Serve(t, h) }

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

func podman(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("podman", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, tail(out))
	}
	return string(out)
}

// tail keeps the end of long tool output.
func tail(b []byte) string {
	const max = 6000
	if len(b) > max {
		return fmt.Sprintf("...%s", b[len(b)-max:])
	}
	return string(b)
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.WriteFile(dst, readFile(t, src), 0o644); err != nil {
		t.Fatal(err)
	}
}
