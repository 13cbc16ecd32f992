package e2e

import (
	"bufio"
	"os"
	"os/exec"
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

// cacheDir keeps the debootstrap tarball between test runs (it takes
// minutes to make); FAAS_TEST_CACHE overrides it.
func cacheDir(t *testing.T) string {
	t.Helper()
	d := os.Getenv("FAAS_TEST_CACHE")
	if d == "" {
		d = filepath.Join(os.TempDir(), "faas-runtime-test-cache")
	}
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// debianMirror is the Debian mirror apt on this machine is configured with
// (deb822 .sources or one-line .list files), so debootstrap fetches from
// where apt does.
func debianMirror(t *testing.T) string {
	t.Helper()
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*")
	files = append([]string{"/etc/apt/sources.list"}, files...)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// deb822: a stanza with URIs and a bookworm suite.
		for _, stanza := range strings.Split(string(data), "\n\n") {
			var uri string
			var bookworm bool
			sc := bufio.NewScanner(strings.NewReader(stanza))
			for sc.Scan() {
				k, v, ok := strings.Cut(sc.Text(), ":")
				if !ok {
					continue
				}
				switch strings.TrimSpace(k) {
				case "URIs":
					uri = strings.Fields(v)[0]
				case "Suites":
					bookworm = strings.Contains(" "+v+" ", " bookworm ")
				}
			}
			if uri != "" && bookworm && !strings.Contains(uri, "security") {
				return uri
			}
		}
		// one-line: deb URL bookworm main
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Fields(line)
			if len(f) >= 3 && f[0] == "deb" && f[2] == "bookworm" && !strings.HasPrefix(f[1], "[") {
				return f[1]
			}
		}
	}
	return "http://deb.debian.org/debian"
}

// debianTarball makes (once, cached) a Debian bookworm minbase root with
// debootstrap from Debian's packages — the equivalent of debian:12-slim —
// and returns it as a tar file.
func debianTarball(t *testing.T) string {
	t.Helper()
	testutil.NeedRoot(t)
	bin := testutil.Need(t, "debootstrap")[0]
	dir := cacheDir(t)
	tarPath := filepath.Join(dir, "debian-bookworm-minbase-amd64.tar")
	unlock, err := testutil.FileLock(tarPath + ".lock")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if _, err := os.Stat(tarPath); err == nil {
		return tarPath
	}
	root, err := os.MkdirTemp(dir, "debootstrap-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(root)
	mirror := debianMirror(t)
	t.Logf("debootstrap --variant=minbase bookworm from %s (a few minutes, cached in %s)", mirror, dir)
	cmd := exec.Command(bin, "--variant=minbase", "--arch=amd64", "bookworm", root, mirror)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("debootstrap: %v\n%s", err, containers.Tail(out))
	}
	// As debian:12-slim: no package lists or downloaded packages.
	for _, g := range []string{"var/lib/apt/lists/*", "var/cache/apt/*.bin", "var/cache/apt/archives/*.deb", "var/log/*.log"} {
		m, _ := filepath.Glob(filepath.Join(root, g))
		for _, p := range m {
			os.RemoveAll(p)
		}
	}
	tmp := tarPath + ".tmp"
	if out, err := exec.Command("tar", "--numeric-owner", "--xattrs", "-C", root, "-cf", tmp, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	if err := os.Rename(tmp, tarPath); err != nil {
		t.Fatal(err)
	}
	return tarPath
}

// importDebian imports the debootstrap root into podman's storage as ref
// (the reference the Dockerfiles name), labelled with where it came from.
func importDebian(t *testing.T, ref string) {
	t.Helper()
	tarPath := debianTarball(t)
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
