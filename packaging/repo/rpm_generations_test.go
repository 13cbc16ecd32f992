package repo_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/repo"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
)

// An rpm generation: the real rpm of one upstream series, from the Debian
// release that ships it, in a debootstrap'd root (testutil.DebianSuiteRootTar,
// cached). Neither is RHEL's build; both are the same upstream rpm and the
// same OpenPGP code as the distributions named.
type rpmGeneration struct {
	name    string
	suite   string // Debian release
	version string // rpm --version prefix
	backend string // shared library that verifies OpenPGP signatures, in rpmkeys' ldd
	// dnf: the release ships dnf on this rpm, which then installs from the
	// served repository with gpgcheck and repo_gpgcheck.
	dnf bool
}

var rpmGenerations = []rpmGeneration{
	// RHEL 9 / UBI 9 ship rpm 4.16.1.3 with its internal OpenPGP parser.
	{"rpm 4.16, internal OpenPGP parser (RHEL 9 series): Debian bullseye", "bullseye", "RPM version 4.16.", "libgcrypt", false},
	// RHEL 10 / UBI 10 and Fedora verify with rpm-sequoia.
	{"rpm 4.20 + rpm-sequoia (RHEL 10 series): Debian trixie", "trixie", "RPM version 4.20.", "librpm_sequoia", true},
}

// Every published rpm verifies with each generation's rpmkeys after the
// pinned key is imported; with only another key imported, and once a
// package is changed, rpmkeys refuses it.
func TestRPMGenerations(t *testing.T) {
	testutil.NeedRoot(t)
	testutil.Need(t, "debootstrap", "chroot", "tar")
	dir := repotest.Dir(t)
	pkgs, m := manifest(t)
	rpms := m.Find("rpm", "", "")
	if len(rpms) == 0 {
		t.Fatal("no rpm published")
	}
	other, err := otherKeys(t).PublicPGP(true)
	if err != nil {
		t.Fatal(err)
	}
	keyID := strings.ToLower(repoKeys(t).Fingerprint()[32:])
	for _, g := range rpmGenerations {
		t.Run(g.name, func(t *testing.T) {
			root := t.TempDir()
			include := []string{"rpm"}
			if g.dnf {
				include = append(include, "dnf")
			}
			run(t, "", nil, "tar", "--numeric-owner", "-C", root, "-xf", testutil.DebianSuiteRootTar(t, g.suite, include...))
			in := func(args ...string) (string, error) {
				return runErr("", nil, "chroot", append([]string{root}, args...)...)
			}
			if out, _ := in("rpm", "--version"); !strings.HasPrefix(out, g.version) {
				t.Fatalf("rpm --version: %q, want %s…", out, g.version)
			}
			if out, _ := in("ldd", "/usr/bin/rpmkeys"); !strings.Contains(out, g.backend) {
				t.Fatalf("rpmkeys does not verify with %s:\n%s", g.backend, out)
			}
			os.MkdirAll(filepath.Join(root, "pkgs"), 0o755)
			os.WriteFile(filepath.Join(root, "pinned.asc"), readFile(t, filepath.Join(dir, repo.RPMKey)), 0o644)
			os.WriteFile(filepath.Join(root, "other.asc"), other, 0o644)
			var inRoot []string
			for _, a := range rpms {
				p := "/pkgs/" + filepath.Base(a.Path)
				os.WriteFile(filepath.Join(root, p), readFile(t, filepath.Join(pkgs, a.Path)), 0o644)
				inRoot = append(inRoot, p)
			}

			// Another key only: NOKEY, not OK.
			if out, err := in("rpmkeys", "--dbpath", "/other-db", "--import", "/other.asc"); err != nil {
				t.Fatalf("rpmkeys --import another key: %v\n%s", err, out)
			}
			if out, err := in("rpmkeys", "--dbpath", "/other-db", "-Kv", inRoot[0]); err == nil || !strings.Contains(out, "NOKEY") {
				t.Errorf("rpmkeys -K with another key accepted %s: %v\n%s", inRoot[0], err, out)
			}

			if out, err := in("rpmkeys", "--import", "/pinned.asc"); err != nil {
				t.Fatalf("rpmkeys --import the pinned key: %v\n%s", err, out)
			}
			want := "Header V4 RSA/SHA256 Signature, key ID " + keyID + ": OK"
			for _, p := range inRoot {
				out, err := in("rpmkeys", "-Kv", p)
				if err != nil || !strings.Contains(out, want) || strings.Contains(out, "NOKEY") || strings.Contains(out, "BAD") {
					t.Errorf("rpmkeys -Kv %s: %v, want %q:\n%s", p, err, want, out)
				}
			}

			// A changed package: its last byte (payload) flipped.
			data := readFile(t, filepath.Join(root, inRoot[0]))
			data[len(data)-1] ^= 0xff
			os.WriteFile(filepath.Join(root, "changed.rpm"), data, 0o644)
			if out, err := in("rpmkeys", "-Kv", "/changed.rpm"); err == nil || !strings.Contains(out, "BAD") {
				t.Errorf("rpmkeys -K accepted a changed package: %v\n%s", err, out)
			}
			t.Logf("%s: %d rpms verified", g.suite, len(inRoot))

			if !g.dnf {
				return
			}
			// dnf on this rpm: repomd.xml's signature (librepo) and the
			// package's, with the key pinned as a file, as the scaffolded
			// Dockerfiles do; another key is refused before any download.
			base := repotest.ServeRepo(t) // 127.0.0.1: the chroot shares the network
			if out, err := dnfInstall(root, "pinned", base, readFile(t, filepath.Join(dir, repo.RPMKey))); err != nil {
				t.Fatalf("dnf install with the pinned key: %v\n%s", err, testutil.Tail([]byte(out)))
			}
			if _, err := os.Stat(filepath.Join(root, "pinned/root/usr/bin/faas-runtime")); err != nil {
				t.Fatalf("dnf installed no /usr/bin/faas-runtime: %v", err)
			}
			out, err := dnfInstall(root, "other", base, other)
			if err == nil || !strings.Contains(out, "GPG signature verification error") {
				t.Fatalf("dnf installed from a repository signed by another key than the one given: %v\n%s", err, testutil.Tail([]byte(out)))
			}
			t.Logf("%s: dnf installed with the pinned key; with another: %s", g.suite, strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]))
		})
	}
}

// dnfInstall runs the root's dnf to install faas-runtime from base into
// /NAME/root, trusting only key (gpgcheck and repo_gpgcheck on).
func dnfInstall(root, name, base string, key []byte) (string, error) {
	cfg := filepath.Join(root, name)
	os.MkdirAll(filepath.Join(cfg, "repos"), 0o755)
	os.WriteFile(filepath.Join(cfg, "key.asc"), key, 0o644)
	repoFile := fmt.Sprintf("[faas-runtime]\nname=faas-runtime\nbaseurl=%s/%s\nenabled=1\ngpgcheck=1\nrepo_gpgcheck=1\ngpgkey=file:///%s/key.asc\n", base, repo.RPMDir, name)
	os.WriteFile(filepath.Join(cfg, "repos", "faas-runtime.repo"), []byte(repoFile), 0o644)
	conf := fmt.Sprintf("[main]\ngpgcheck=1\nrepo_gpgcheck=1\nreposdir=/%[1]s/repos\ncachedir=/%[1]s/cache\ninstall_weak_deps=0\n", name)
	os.WriteFile(filepath.Join(cfg, "dnf.conf"), []byte(conf), 0o644)
	return runErr("", nil, "chroot", root, "dnf", "-y", "-c", "/"+name+"/dnf.conf", "--installroot", "/"+name+"/root", "--releasever", "10", "install", "faas-runtime")
}
