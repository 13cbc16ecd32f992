package containers

import (
	"bytes"
	"debug/elf"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/image/standin"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// StandIns builds (or loads from the cache) the named stand-in bases for
// arch with scripts/standin-bases.sh and returns their local references
// by name. Each one's label goes into the test output: these are the real
// installers, not the real distributions.
func StandIns(t *testing.T, arch string, names ...string) map[string]string {
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
			t.Logf("stand-in %s (%s): %s", ref, arch, standInLabel(t, ref))
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
	f, err := elf.NewFile(bytes.NewReader(FileFromImage(t, image, path)))
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

func standInLabel(t *testing.T, ref string) string {
	t.Helper()
	l := strings.TrimSpace(Podman(t, "image", "inspect", "--format", `{{index .Labels "`+standin.Label+`"}}`, ref))
	if !strings.Contains(l, "stand-in") {
		t.Fatalf("%s is not labelled as a stand-in (%s=%q)", ref, standin.Label, l)
	}
	return l
}

// FileFromImage copies one file out of image (without running it).
func FileFromImage(t *testing.T, image, path string) []byte {
	t.Helper()
	// stdout only: podman warns on stderr when image is for another arch.
	out, err := exec.Command("podman", "create", "--pull=never", image).Output()
	if err != nil {
		t.Fatalf("podman create %s: %v", image, err)
	}
	ctr := strings.TrimSpace(string(out))
	defer exec.Command("podman", "rm", "-f", ctr).Run()
	dst := filepath.Join(t.TempDir(), filepath.Base(path))
	Podman(t, "cp", ctr+":"+path, dst)
	return ReadFile(t, dst)
}

// NeedPodman is the preamble of every test here: skipped under -short
// (why says what it runs), root, podman's lock and the tools, with the
// project's containers.conf.
func NeedPodman(t *testing.T, why string, tools ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: " + why)
	}
	testutil.NeedRoot(t)
	testutil.Need(t, append([]string{"podman", "debootstrap", "tar", "flock"}, tools...)...)
	testutil.LockPodman(t)
	t.Setenv("CONTAINERS_CONF", filepath.Join(testutil.RepoRoot(t), "scripts", "containers.conf"))
}
