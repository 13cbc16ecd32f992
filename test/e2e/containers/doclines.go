package containers

// The install lines users copy from docs/installers.md, read and run as
// written in the stand-in bases (test/e2e/installers, test/rehearsal).

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/image/standin"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// DocsRows are the rows of docs/installers.md that run as written in a
// stand-in base: the UBI stand-ins have no curl (UBI has curl-minimal), so
// the host's runs in them (HostCurl).
var DocsRows = []struct {
	Name, StandIn, Row string
	HostCurl           bool
}{
	{"ubi-minimal stand-in, microdnf", "ubi-minimal", "RHEL / UBI minimal (microdnf)", true},
	{"ubi stand-in, dnf", "ubi", "RHEL / UBI / Fedora (dnf)", true},
	{"alpine stand-in, apk 2", "alpine-apk2", "Alpine (apk)", false},
	{"alpine stand-in, apk 3", "alpine-apk3", "Alpine (apk)", false},
	{"debian stand-in, apt", debianApt, "Debian / Ubuntu (apt)", false},
}

// debianApt is the stand-in of the apt row: Debian bookworm itself, with
// curl and gpg added (debian:12-slim has neither; users install them).
const debianApt = "debian-apt"

// DocsStandIns builds (or loads) the stand-ins DocsRows run in, for
// amd64, and returns their references by name.
func DocsStandIns(t *testing.T) map[string]string {
	t.Helper()
	var names []string
	for _, r := range DocsRows {
		if r.StandIn != debianApt && !slices.Contains(names, r.StandIn) {
			names = append(names, r.StandIn)
		}
	}
	refs := StandIns(t, "amd64", names...)
	refs[debianApt] = debianAptStandIn(t)
	return refs
}

// debianAptStandIn imports the cached bookworm root with curl and gpg as
// an image, labelled as a stand-in, without Debian's own sources: apt
// reaches only the repository under test (traffic stays on loopback).
func debianAptStandIn(t *testing.T) string {
	t.Helper()
	const ref = "localhost/faas-standin/debian-apt:12-amd64"
	if exec.Command("podman", "image", "exists", ref).Run() != nil {
		root := testutil.DebianSuiteRootTar(t, "bookworm", "curl", "gpg")
		imported := ref + "-imported"
		Podman(t, "import", root, imported)
		ctr := fmt.Sprintf("faas-standin-debian-apt-%d", os.Getpid())
		Podman(t, "run", "--name", ctr, "--pull=never", "--network", "none", imported,
			"sh", "-c", "rm -f /etc/apt/sources.list /etc/apt/sources.list.d/*")
		Podman(t, "commit", "--change", "LABEL "+standin.Label+"=\"debian stand-in: Debian bookworm (minbase, curl, gpg, no Debian sources), not debian:12-slim\"",
			"--change", "CMD [\"/bin/sh\"]", ctr, ref)
		Podman(t, "rm", ctr)
		Podman(t, "rmi", imported)
	}
	t.Logf("stand-in %s: %s", ref, standInLabel(t, ref))
	return ref
}

// InstallRows reads the install table of docs/installers.md: platform ->
// the command lines of its cell. Each line of a runnable row must be one
// code span, so that what the test runs is what the user copies.
func InstallRows(t *testing.T, path string) map[string][]string {
	t.Helper()
	span := regexp.MustCompile("^`([^`]+)`$")
	rows := map[string][]string{}
	for _, l := range strings.Split(string(ReadFile(t, path)), "\n") {
		if !strings.HasPrefix(l, "| ") {
			continue
		}
		// GitHub's tables need | escaped even in code spans.
		cells := strings.Split(strings.ReplaceAll(l, `\|`, "\x00"), " | ")
		if len(cells) != 2 {
			continue
		}
		platform := strings.TrimPrefix(cells[0], "| ")
		var lines []string
		for _, part := range strings.Split(strings.TrimSuffix(cells[1], " |"), " <br> ") {
			m := span.FindStringSubmatch(strings.TrimSpace(part))
			if m == nil {
				lines = nil // prose: not a row this test runs
				break
			}
			lines = append(lines, strings.ReplaceAll(m[1], "\x00", "|"))
		}
		rows[platform] = lines
	}
	return rows
}

// RunLines runs lines with sh -e in a container of image, as root on the
// host's network, then copies /usr/bin/faas-runtime out (nil if absent).
func RunLines(t *testing.T, image string, lines []string, env map[string]string, mounts []string) (string, []byte, error) {
	t.Helper()
	out := t.TempDir()
	args := []string{"run", "--rm", "--pull=never", "--network", "host", "-v", out + ":/faas-test-out"}
	for k, v := range env {
		args = append(args, "-e", k+"="+v)
	}
	for _, m := range mounts {
		args = append(args, "-v", m)
	}
	script := "set -e\n" + strings.Join(lines, "\n") + "\ncp /usr/bin/faas-runtime /faas-test-out/\n"
	log, err := exec.Command("podman", append(args, image, "sh", "-c", script)...).CombinedOutput()
	got, rerr := os.ReadFile(filepath.Join(out, "faas-runtime"))
	if rerr != nil {
		got = nil
	}
	return string(log), got, err
}

// HostCurl returns podman -v mounts that put the host's curl at
// /usr/local/bin/curl: a wrapper that runs it with the host's loader and
// the libraries ldd lists, copied into one directory.
func HostCurl(t *testing.T) []string {
	t.Helper()
	bin, err := exec.LookPath("curl")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ldd", bin).Output()
	if err != nil {
		t.Fatalf("ldd %s: %v", bin, err)
	}
	dir := t.TempDir()
	CopyFile(t, bin, filepath.Join(dir, "curl"), 0o644)
	loader := ""
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		lib := ""
		switch {
		case len(f) >= 3 && f[1] == "=>" && strings.HasPrefix(f[2], "/"):
			lib = f[2]
		case len(f) >= 1 && strings.HasPrefix(f[0], "/"):
			lib, loader = f[0], filepath.Base(f[0])
		}
		if lib != "" {
			CopyFile(t, lib, filepath.Join(dir, filepath.Base(lib)), 0o644)
			os.Chmod(filepath.Join(dir, filepath.Base(lib)), 0o755) // the loader is run
		}
	}
	if loader == "" {
		t.Fatalf("ldd %s names no loader:\n%s", bin, out)
	}
	wrapper := filepath.Join(t.TempDir(), "curl")
	script := "#!/bin/sh\nexec /opt/faas-host-curl/" + loader + " --library-path /opt/faas-host-curl /opt/faas-host-curl/curl \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return []string{dir + ":/opt/faas-host-curl:ro", wrapper + ":/usr/local/bin/curl:ro"}
}
