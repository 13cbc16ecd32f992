package testutil

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCache is the directory that keeps what takes minutes to make between
// test runs (the debootstrap'd root, the stand-in bases):
// $FAAS_TEST_CACHE, else $TMPDIR/faas-runtime-test-cache, as
// scripts/standin-bases.sh uses it.
func TestCache(t testing.TB) string {
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

// DebianMirror is the Debian mirror debootstrap fetches bookworm from:
// $FAAS_DEBIAN_MIRROR, else the one apt on this machine is configured with
// (deb822 /etc/apt/sources.list.d/*.sources, or one-line sources.list and
// *.list), so that debootstrap fetches from where apt does. The tree names
// no mirror host: with neither, the test is Unavailable.
func DebianMirror(t testing.TB) string {
	t.Helper()
	if m := os.Getenv("FAAS_DEBIAN_MIRROR"); m != "" {
		return m
	}
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*.sources")
	lists, _ := filepath.Glob("/etc/apt/sources.list.d/*.list")
	files = append(append(files, "/etc/apt/sources.list"), lists...)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if m := bookwormURI(string(data)); m != "" {
			return m
		}
	}
	Unavailable(t, "no Debian bookworm mirror in /etc/apt/sources.list{,.d}: set FAAS_DEBIAN_MIRROR")
	return ""
}

// bookwormURI finds the first non-security bookworm URI in an apt source
// file, deb822 stanzas or one-line entries.
func bookwormURI(data string) string {
	for _, stanza := range strings.Split(data, "\n\n") {
		var uri string
		var bookworm, deb bool
		sc := bufio.NewScanner(strings.NewReader(stanza))
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if !ok || strings.HasPrefix(strings.TrimSpace(k), "#") {
				continue
			}
			switch strings.TrimSpace(k) {
			case "Types":
				deb = strings.Contains(" "+v+" ", " deb ")
			case "URIs":
				if f := strings.Fields(v); len(f) > 0 {
					uri = f[0]
				}
			case "Suites":
				bookworm = strings.Contains(" "+v+" ", " bookworm ")
			}
		}
		if uri != "" && deb && bookworm && !strings.Contains(uri, "security") {
			return uri
		}
	}
	for _, line := range strings.Split(data, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == "deb" && f[2] == "bookworm" && !strings.HasPrefix(f[1], "[") {
			return f[1]
		}
	}
	return ""
}

// DebianRootTar makes once a Debian bookworm minbase root for amd64 with
// debootstrap — the equivalent of debian:12-slim — and returns it as a tar
// in TestCache. Every test that needs the root, and
// scripts/standin-bases.sh, make the same file under the same lock, so it
// is made once per machine.
func DebianRootTar(t testing.TB) string {
	t.Helper()
	return DebianSuiteRootTar(t, "bookworm")
}

// DebianSuiteRootTar is DebianRootTar for another Debian release (suite,
// e.g. bullseye or trixie) with packages added (debootstrap --include),
// cached as debian-SUITE-minbase[-PKG…]-amd64.tar. It is fetched from
// DebianMirror: the archive that serves bookworm serves every current
// release.
func DebianSuiteRootTar(t testing.TB, suite string, include ...string) string {
	t.Helper()
	NeedRoot(t)
	bin := Need(t, "debootstrap", "tar")[0]
	dir := TestCache(t)
	name := strings.Join(append([]string{"debian", suite, "minbase"}, include...), "-")
	tarPath := filepath.Join(dir, name+"-amd64.tar")
	unlock, err := FileLock(tarPath + ".lock")
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
	mirror := DebianMirror(t)
	args := []string{"--variant=minbase", "--arch=amd64"}
	if len(include) > 0 {
		args = append(args, "--include="+strings.Join(include, ","))
	}
	args = append(args, suite, root, mirror)
	t.Logf("debootstrap %s (a few minutes, cached in %s)", strings.Join(args, " "), dir)
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("debootstrap: %v\n%s", err, Tail(out))
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
