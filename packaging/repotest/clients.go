package repotest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/repo"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// Client is a real package manager that installs faas-runtime, the newest
// version a repository offers, into a root of its own, fetching the
// repository's metadata afresh every time.
type Client struct {
	Name string
	// Install installs from the repository at base and returns the
	// version faas-runtime --version reports, with the client's output.
	Install func(ctx context.Context, base string) (version, out string, err error)
}

// Clients returns dnf, microdnf, apk 2 and 3, apt and pacman (Arch Linux),
// trusting the keys published in the repository tree dir (all releases of
// a history share them). Each client needs root and its tool.
func Clients(t testing.TB, dir string) []Client {
	t.Helper()
	testutil.NeedRoot(t)
	testutil.Need(t, "dnf", "pacman", "gpg", "chroot")
	tmp := t.TempDir()
	rpmKey := filepath.Join(dir, repo.RPMKey)
	apkKey, err := os.ReadFile(filepath.Join(dir, repo.AlpineDir, signing.DefaultAPKKeyName))
	if err != nil {
		t.Fatal(err)
	}
	m, err := repo.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	gpgdir := filepath.Join(tmp, "pacman-gnupg")
	os.MkdirAll(gpgdir, 0o700)
	if out, err := exec.Command("gpg", "--homedir", gpgdir, "--batch", "--import", filepath.Join(dir, repo.PGPPublicKey)).CombinedOutput(); err != nil {
		t.Fatalf("gpg --import: %v\n%s", err, out)
	}
	trust := exec.Command("gpg", "--homedir", gpgdir, "--batch", "--import-ownertrust")
	trust.Stdin = strings.NewReader(m.KeyFingerprint + ":6:\n")
	if out, err := trust.CombinedOutput(); err != nil {
		t.Fatalf("gpg --import-ownertrust: %v\n%s", err, out)
	}
	debRoot := DebianRoot(t)
	os.MkdirAll(filepath.Join(debRoot, "etc/apt/keyrings"), 0o755)
	keyring, err := os.ReadFile(filepath.Join(dir, repo.DebKeyring))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(debRoot, "etc/apt/keyrings/faas-runtime-archive-keyring.gpg"), keyring, 0o644)
	os.Remove(filepath.Join(debRoot, "etc/apt/sources.list"))
	os.RemoveAll(filepath.Join(debRoot, "etc/apt/sources.list.d"))
	os.MkdirAll(filepath.Join(debRoot, "etc/apt/sources.list.d"), 0o755)

	microdnf, apk2, apk3 := PMTool(t, "microdnf"), PMTool(t, "apk2"), PMTool(t, "apk3")
	fresh := func(name string) string {
		d, err := os.MkdirTemp(tmp, name+"-")
		if err != nil {
			panic(err)
		}
		return d
	}
	dnfConf := func(base string) (root, conf string) {
		root, cfg := fresh("rpm-root"), fresh("rpm-cfg")
		repoFile := strings.Replace(repo.YumRepoFile(base), "gpgkey=file://"+repo.RPMKeyPath, "gpgkey=file://"+rpmKey, 1)
		os.MkdirAll(filepath.Join(cfg, "repos"), 0o755)
		os.WriteFile(filepath.Join(cfg, "repos", "faas-runtime.repo"), []byte(repoFile), 0o644)
		conf = filepath.Join(cfg, "dnf.conf")
		os.WriteFile(conf, []byte(fmt.Sprintf("[main]\ngpgcheck=1\nrepo_gpgcheck=1\nreposdir=%[1]s/repos\ncachedir=%[1]s/cache\nlogdir=%[1]s/log\npersistdir=%[1]s/persist\ninstall_weak_deps=0\n", cfg)), 0o644)
		return root, conf
	}
	installed := func(root string) string { return BinaryVersion(filepath.Join(root, "usr/bin/faas-runtime")) }
	return []Client{
		{"dnf", func(ctx context.Context, base string) (string, string, error) {
			root, conf := dnfConf(base)
			defer os.RemoveAll(root)
			out, err := Run(ctx, nil, "dnf", "-c", conf, "--installroot="+root, "--releasever=9", "--forcearch=x86_64", "-y", "install", "faas-runtime")
			return installed(root), out, err
		}},
		{"microdnf", func(ctx context.Context, base string) (string, string, error) {
			root, conf := dnfConf(base)
			defer os.RemoveAll(root)
			cfg := filepath.Dir(conf)
			out, err := Run(ctx, nil, microdnf, "--config="+conf, "--installroot="+root, "--releasever=9", "--noplugins",
				"--setopt=varsdir="+filepath.Join(cfg, "vars"), "--setopt=reposdir="+filepath.Join(cfg, "repos"),
				"--setopt=cachedir="+filepath.Join(cfg, "cache"), "-y", "--nodocs", "install", "faas-runtime")
			return installed(root), out, err
		}},
		apkClient("apk2", apk2, apkKey, fresh, installed),
		apkClient("apk3", apk3, apkKey, fresh, installed),
		{"apt", func(ctx context.Context, base string) (string, string, error) {
			os.WriteFile(filepath.Join(debRoot, "etc/apt/sources.list.d/faas-runtime.list"), []byte(repo.AptSourcesLine(base)), 0o644)
			// No lists kept: every update reads InRelease and the indexes anew.
			os.RemoveAll(filepath.Join(debRoot, "var/lib/apt/lists"))
			os.MkdirAll(filepath.Join(debRoot, "var/lib/apt/lists/partial"), 0o755)
			apt := func(args ...string) (string, error) {
				return Run(ctx, []string{"DEBIAN_FRONTEND=noninteractive"}, "chroot", append([]string{debRoot, "apt-get", "-y", "-o", "APT::Update::Error-Mode=any"}, args...)...)
			}
			out, err := apt("update")
			if err == nil {
				var o string
				o, err = apt("install", "--reinstall", "faas-runtime")
				out += o
			}
			v := installed(debRoot)
			o, _ := Run(ctx, nil, "chroot", debRoot, "dpkg", "--purge", "faas-runtime")
			return v, out + o, err
		}},
		{"pacman", func(ctx context.Context, base string) (string, string, error) {
			root := fresh("pacman-root")
			defer os.RemoveAll(root)
			os.MkdirAll(filepath.Join(root, "var/lib/pacman"), 0o755)
			cf := filepath.Join(root, "pacman.conf")
			os.WriteFile(cf, []byte("[options]\nArchitecture = x86_64\nSigLevel = Required DatabaseRequired\nDisableSandbox\n"+repo.PacmanSection(base, "")), 0o644)
			out, err := Run(ctx, nil, "pacman", "--root", root, "--config", cf, "--dbpath", filepath.Join(root, "var/lib/pacman"),
				"--cachedir", filepath.Join(root, "cache"), "--gpgdir", gpgdir, "--noconfirm", "--noprogressbar", "-Sy", "faas-runtime")
			return installed(root), out, err
		}},
	}
}

func apkClient(name, bin string, key []byte, fresh func(string) string, installed func(string) string) Client {
	return Client{name, func(ctx context.Context, base string) (string, string, error) {
		root := fresh(name + "-root")
		defer os.RemoveAll(root)
		os.MkdirAll(filepath.Join(root, "etc/apk/keys"), 0o755)
		os.WriteFile(filepath.Join(root, "etc/apk/keys", signing.DefaultAPKKeyName), key, 0o644)
		out, err := Run(ctx, nil, bin, "--root", root, "--arch", "x86_64", "--no-cache", "--no-scripts",
			"-X", repo.ApkRepository(base), "--initdb", "add", "faas-runtime")
		return installed(root), out, err
	}}
}

var semverRE = regexp.MustCompile(`\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?`)

// BinaryVersion runs faas-runtime --version and returns the version it
// prints, or "" if it is missing or fails.
func BinaryVersion(path string) string {
	if _, err := os.Stat(path); err != nil {
		return ""
	}
	out, err := exec.Command(path, "--version").CombinedOutput()
	if err != nil {
		return ""
	}
	return semverRE.FindString(string(out))
}

// Run runs a command (5 minutes at most) and returns its combined output.
func Run(ctx context.Context, env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
