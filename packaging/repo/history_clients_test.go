package repo_test

// Release after release, with the real clients: from a repository holding
// 0.1.0 and 0.2.0 served on 127.0.0.1, each installs 0.1.0 by explicit
// version, upgrades to 0.2.0 and rolls back to 0.1.0.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/packages"
	"github.com/faas-runtime/faas-runtime/packaging/repo"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

const v1, v2 = "0.1.0", "0.2.0"

// steps runs install-by-version, upgrade and rollback, checking after each
// which version is installed.
func steps(t *testing.T, installed func() string, install, upgrade, rollback func() (string, error)) {
	t.Helper()
	for _, s := range []struct {
		name string
		fn   func() (string, error)
		want string
	}{{"install " + v1, install, v1}, {"upgrade", upgrade, v2}, {"rollback", rollback, v1}} {
		out, err := s.fn()
		if err != nil {
			t.Fatalf("%s: %v\n%s", s.name, err, out)
		}
		if got := installed(); got != s.want {
			t.Fatalf("after %s: %s installed, want %s\n%s", s.name, got, s.want, out)
		}
		t.Logf("%s: %s installed", s.name, s.want)
	}
}

// binaryVersion runs root/usr/bin/faas-runtime --version and returns which
// of the two versions it reports.
func binaryVersion(t *testing.T, path string) string {
	t.Helper()
	out, err := runErr("", nil, path, "--version")
	if err != nil {
		return "none (" + err.Error() + ")"
	}
	for _, v := range []string{v1, v2} {
		if strings.Contains(out, v) {
			return v
		}
	}
	return "unknown: " + out
}

func TestHistoryDNF(t *testing.T) {
	testutil.NeedRoot(t)
	h := repotest.HistoryRepo(t)
	base := repotest.Serve(t, h.Dir)
	key := filepath.Join(h.Dir, repo.RPMKey)
	// gpgkey=file://: microdnf (libdnf's C API) does not import a remote key
	// before checking repomd.xml's signature (see ../shared/package-managers).
	repoFile := strings.Replace(repo.YumRepoFile(base), "gpgkey=file://"+repo.RPMKeyPath, "gpgkey=file://"+key, 1)
	setup := func() (root, conf string) {
		root, cfg := t.TempDir(), t.TempDir()
		os.MkdirAll(filepath.Join(cfg, "repos"), 0o755)
		os.WriteFile(filepath.Join(cfg, "repos", "faas-runtime.repo"), []byte(repoFile), 0o644)
		conf = filepath.Join(cfg, "dnf.conf")
		os.WriteFile(conf, []byte(fmt.Sprintf("[main]\ngpgcheck=1\nrepo_gpgcheck=1\nreposdir=%[1]s/repos\ncachedir=%[1]s/cache\nlogdir=%[1]s/log\npersistdir=%[1]s/persist\ninstall_weak_deps=0\n", cfg)), 0o644)
		return root, conf
	}
	t.Run("dnf", func(t *testing.T) {
		testutil.Need(t, "dnf")
		root, conf := setup()
		dnf := func(args ...string) func() (string, error) {
			return func() (string, error) {
				return runErr("", nil, "dnf", append([]string{"-c", conf, "--installroot=" + root, "--releasever=9", "--forcearch=x86_64", "-y"}, args...)...)
			}
		}
		steps(t, func() string { return binaryVersion(t, filepath.Join(root, "usr/bin/faas-runtime")) },
			dnf("install", "faas-runtime-"+v1), dnf("upgrade", "faas-runtime"), dnf("downgrade", "faas-runtime"))
	})
	t.Run("microdnf", func(t *testing.T) {
		bin := apkTool(t, "microdnf")
		root, conf := setup()
		mdnf := func(args ...string) func() (string, error) {
			return func() (string, error) {
				return runErr("", nil, bin, append([]string{"--config=" + conf, "--installroot=" + root, "--releasever=9",
					"--noplugins", "--setopt=varsdir=" + filepath.Join(filepath.Dir(conf), "vars"),
					"--setopt=reposdir=" + filepath.Join(filepath.Dir(conf), "repos"), "--setopt=cachedir=" + filepath.Join(filepath.Dir(conf), "cache"), "-y", "--nodocs"}, args...)...)
			}
		}
		// microdnf has no downgrade command: installing the older version by name rolls back.
		steps(t, func() string { return binaryVersion(t, filepath.Join(root, "usr/bin/faas-runtime")) },
			mdnf("install", "faas-runtime-"+v1), mdnf("upgrade", "faas-runtime"), mdnf("install", "faas-runtime-"+v1))
	})
}

func TestHistoryApk(t *testing.T) {
	testutil.NeedRoot(t)
	h := repotest.HistoryRepo(t)
	base := repotest.Serve(t, h.Dir)
	key := readFile(t, filepath.Join(h.Dir, repo.AlpineDir, signing.DefaultAPKKeyName))
	old := h.Results[v1].FormatVersions["apk"]
	for _, tool := range []string{"apk2", "apk3"} {
		t.Run(tool, func(t *testing.T) {
			bin := apkTool(t, tool)
			root := t.TempDir()
			os.MkdirAll(filepath.Join(root, "etc/apk/keys"), 0o755)
			os.WriteFile(filepath.Join(root, "etc/apk/keys", signing.DefaultAPKKeyName), key, 0o644)
			apk := func(args ...string) func() (string, error) {
				return func() (string, error) {
					return runErr("", nil, bin, append([]string{"--root", root, "--arch", "x86_64", "--no-cache", "--no-scripts",
						"-X", repo.ApkRepository(base)}, args...)...)
				}
			}
			initdb := apk("--initdb", "add", "faas-runtime="+old)
			// apk upgrade keeps world's pin, so the upgrade first lifts it.
			upgrade := func() (string, error) {
				if out, err := apk("add", "faas-runtime")(); err != nil {
					return out, err
				}
				return apk("upgrade")()
			}
			steps(t, func() string { return binaryVersion(t, filepath.Join(root, "usr/bin/faas-runtime")) },
				initdb, upgrade, apk("add", "faas-runtime="+old))
		})
	}
}

func TestHistoryApt(t *testing.T) {
	h := repotest.HistoryRepo(t)
	root := repotest.DebianRoot(t)
	base := repotest.Serve(t, h.Dir)
	os.MkdirAll(filepath.Join(root, "etc/apt/keyrings"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/apt/keyrings/faas-runtime-archive-keyring.gpg"), readFile(t, filepath.Join(h.Dir, repo.DebKeyring)), 0o644)
	// Only our repository: the test needs no Debian mirror.
	os.Remove(filepath.Join(root, "etc/apt/sources.list"))
	os.RemoveAll(filepath.Join(root, "etc/apt/sources.list.d"))
	os.MkdirAll(filepath.Join(root, "etc/apt/sources.list.d"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/apt/sources.list.d/faas-runtime.list"), []byte(repo.AptSourcesLine(base)), 0o644)
	apt := func(args ...string) func() (string, error) {
		return func() (string, error) {
			return runErr("", []string{"DEBIAN_FRONTEND=noninteractive"}, "chroot", append([]string{root, "apt-get", "-y", "-o", "APT::Update::Error-Mode=any"}, args...)...)
		}
	}
	if out, err := apt("update")(); err != nil {
		t.Fatalf("apt-get update: %v\n%s", err, out)
	}
	old := h.Results[v1].FormatVersions["deb"]
	steps(t, func() string { return binaryVersion(t, filepath.Join(root, "usr/bin/faas-runtime")) },
		apt("install", "faas-runtime="+old), apt("upgrade"), apt("install", "--allow-downgrades", "faas-runtime="+old))
	out := run(t, "", nil, "chroot", root, "dpkg-query", "-W", "faas-runtime")
	if strings.TrimSpace(out) != "faas-runtime\t"+old {
		t.Errorf("dpkg-query: %q, want faas-runtime %s", out, old)
	}
}

func TestHistoryPacman(t *testing.T) {
	testutil.NeedRoot(t)
	testutil.Need(t, "pacman", "gpg")
	h := repotest.HistoryRepo(t)
	base := repotest.Serve(t, h.Dir)
	gpgdir := t.TempDir()
	run(t, "", nil, "gpg", "--homedir", gpgdir, "--batch", "--import", filepath.Join(h.Dir, repo.PGPPublicKey))
	rm, err := repo.ReadManifest(h.Dir)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("gpg", "--homedir", gpgdir, "--batch", "--import-ownertrust")
	cmd.Stdin = strings.NewReader(rm.KeyFingerprint + ":6:\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("import-ownertrust: %v\n%s", err, out)
	}
	for _, c := range []struct {
		name, kind, pkg, section, dir string
	}{
		{"archlinux", "archlinux", "faas-runtime", repo.PacmanSection(base, ""), repo.ArchDir + "/x86_64"},
		{"msys2", "msys2", packages.MSYS2PackageName("runtime-init", "amd64"), repo.PacmanSection(base, "ucrt64"), repo.MSYS2Dir + "/ucrt64"},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			os.MkdirAll(filepath.Join(root, "var/lib/pacman"), 0o755)
			cf := filepath.Join(t.TempDir(), "pacman.conf")
			os.WriteFile(cf, []byte("[options]\nArchitecture = x86_64\nSigLevel = Required DatabaseRequired\nDisableSandbox\n"+c.section), 0o644)
			pacman := func(args ...string) func() (string, error) {
				return func() (string, error) {
					return runErr("", nil, "pacman", append([]string{"--root", root, "--config", cf, "--dbpath", filepath.Join(root, "var/lib/pacman"),
						"--cachedir", t.TempDir(), "--gpgdir", gpgdir, "--noconfirm", "--noprogressbar"}, args...)...)
				}
			}
			arts := h.Results[v1].Find(c.kind, c.pkg, "amd64")
			if len(arts) != 1 {
				t.Fatalf("no %s package %s in 0.1.0", c.kind, c.pkg)
			}
			// A pacman database holds one version per package; an older
			// one installs by its URL (checked against its .sig), as from
			// the Arch Linux Archive.
			url := base + "/" + c.dir + "/" + filepath.Base(arts[0].Path)
			installed := func() string {
				descs, _ := filepath.Glob(filepath.Join(root, "var/lib/pacman/local", c.pkg+"-*", "desc"))
				if len(descs) != 1 {
					return fmt.Sprintf("%d", len(descs))
				}
				d := string(readFile(t, descs[0]))
				for _, v := range []string{v1, v2} {
					if strings.Contains(d, "%VERSION%\n"+v+"-") {
						return v
					}
				}
				return d
			}
			steps(t, installed, pacman("-U", url), pacman("-Syu"), pacman("-U", url))
		})
	}
}
