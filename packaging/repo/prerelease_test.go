package repo_test

// Builds between tags, with the real clients: runtime-init 0.2.1-pre.3
// scaffolds a Dockerfile whose FAAS_RUNTIME_VERSION the base's package
// manager must find in a repository holding faas-runtime 0.2.1-pre.3. Each
// client installs exactly that pin, the way the Dockerfile's install line
// spells it (dnf NAME-PIN, apt NAME=PIN*, apk NAME~PIN).

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/scaffold"
	"github.com/faas-runtime/faas-runtime/internal/scaffold/trust"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/packages"
	"github.com/faas-runtime/faas-runtime/packaging/repo"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
	"github.com/faas-runtime/faas-runtime/runtime/version"
)

const prerelease = "0.2.1-pre.3"

// scaffoldedPin is the FAAS_RUNTIME_VERSION that runtime-init at version
// runtimeInit writes into a Dockerfile for base.
func scaffoldedPin(t *testing.T, base, runtimeInit string, keys *trust.Keys) string {
	t.Helper()
	saved := version.Version
	version.Version = runtimeInit
	defer func() { version.Version = saved }()
	files, err := scaffold.Render(scaffold.Options{Name: "hello", Base: base, Arch: "amd64", Mode: "exec", Lang: "go", Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Path == "Dockerfile" {
			if m := regexp.MustCompile(`(?m)^ARG FAAS_RUNTIME_VERSION=(\S+)$`).FindSubmatch(f.Data); m != nil {
				return string(m[1])
			}
			t.Fatalf("%s Dockerfile pins no version:\n%s", base, f.Data)
		}
	}
	t.Fatalf("no Dockerfile for %s", base)
	return ""
}

func TestPrereleasePins(t *testing.T) {
	testutil.NeedRoot(t)
	testutil.Need(t, "createrepo_c", "apt-ftparchive", "repo-add", "git")
	root := testutil.RepoRoot(t)
	tmp := t.TempDir()
	keys, err := signing.Load(func(string) string { return "" }, filepath.Join(tmp, "keys"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	pk, dir := filepath.Join(tmp, "packages"), filepath.Join(tmp, "repo")
	t.Logf("building %s (rpm, deb, apk; amd64) and its repository", prerelease)
	if _, err := packages.Run(context.Background(), packages.Options{Root: root, Out: pk, Keys: keys, Version: prerelease,
		Formats: []string{"rpm", "deb", "apk"}, Arches: []string{"amd64"}}); err != nil {
		t.Fatal(err)
	}
	if err := repo.Build(context.Background(), repo.Options{Packages: pk, Out: dir, Keys: keys}); err != nil {
		t.Fatal(err)
	}
	base := repotest.Serve(t, dir)
	pinKeys, err := trust.FromFiles([]string{filepath.Join(dir, repo.RPMKey), filepath.Join(dir, repo.AlpineDir, keys.APKName)})
	if err != nil {
		t.Fatal(err)
	}
	installed := func(t *testing.T, bin string) {
		t.Helper()
		out, err := runErr("", nil, bin, "--version")
		if err != nil || !strings.Contains(out, prerelease) {
			t.Fatalf("%s --version: %q, %v; want %s", bin, out, err, prerelease)
		}
	}

	t.Run("dnf", func(t *testing.T) {
		testutil.Need(t, "dnf")
		pin := scaffoldedPin(t, "ubi-minimal", prerelease, pinKeys)
		cfg, root := t.TempDir(), t.TempDir()
		os.MkdirAll(filepath.Join(cfg, "repos"), 0o755)
		repoFile := strings.Replace(repo.YumRepoFile(base), "gpgkey=file://"+repo.RPMKeyPath, "gpgkey=file://"+filepath.Join(dir, repo.RPMKey), 1)
		os.WriteFile(filepath.Join(cfg, "repos", "faas-runtime.repo"), []byte(repoFile), 0o644)
		conf := filepath.Join(cfg, "dnf.conf")
		os.WriteFile(conf, []byte("[main]\ngpgcheck=1\nrepo_gpgcheck=1\nreposdir="+cfg+"/repos\ncachedir="+cfg+"/cache\nlogdir="+cfg+"/log\npersistdir="+cfg+"/persist\ninstall_weak_deps=0\n"), 0o644)
		if out, err := runErr("", nil, "dnf", "-c", conf, "--installroot="+root, "--releasever=9", "--forcearch=x86_64", "-y",
			"install", "faas-runtime-"+pin); err != nil {
			t.Fatalf("dnf install faas-runtime-%s: %v\n%s", pin, err, out)
		}
		installed(t, filepath.Join(root, "usr/bin/faas-runtime"))
	})

	t.Run("apt", func(t *testing.T) {
		pin := scaffoldedPin(t, "distroless", prerelease, pinKeys)
		root := repotest.DebianRoot(t)
		os.MkdirAll(filepath.Join(root, "etc/apt/keyrings"), 0o755)
		os.WriteFile(filepath.Join(root, "etc/apt/keyrings/faas-runtime-archive-keyring.gpg"), readFile(t, filepath.Join(dir, repo.DebKeyring)), 0o644)
		os.Remove(filepath.Join(root, "etc/apt/sources.list"))
		os.RemoveAll(filepath.Join(root, "etc/apt/sources.list.d"))
		os.MkdirAll(filepath.Join(root, "etc/apt/sources.list.d"), 0o755)
		os.WriteFile(filepath.Join(root, "etc/apt/sources.list.d/faas-runtime.list"), []byte(repo.AptSourcesLine(base)), 0o644)
		for _, args := range [][]string{{"update"}, {"install", "faas-runtime=" + pin + "*"}} {
			if out, err := runErr("", []string{"DEBIAN_FRONTEND=noninteractive"}, "chroot", append([]string{root, "apt-get", "-y", "-o", "APT::Update::Error-Mode=any"}, args...)...); err != nil {
				t.Fatalf("apt-get %v: %v\n%s", args, err, out)
			}
		}
		installed(t, filepath.Join(root, "usr/bin/faas-runtime"))
	})

	for _, tool := range []string{"apk2", "apk3"} {
		t.Run(tool, func(t *testing.T) {
			bin := apkTool(t, tool)
			pin := scaffoldedPin(t, "alpine", prerelease, pinKeys)
			root := t.TempDir()
			os.MkdirAll(filepath.Join(root, "etc/apk/keys"), 0o755)
			os.WriteFile(filepath.Join(root, "etc/apk/keys", keys.APKName), readFile(t, filepath.Join(dir, repo.AlpineDir, keys.APKName)), 0o644)
			if out, err := runErr("", nil, bin, "--root", root, "--arch", "x86_64", "--no-cache", "--no-scripts",
				"-X", repo.ApkRepository(base), "--initdb", "add", "faas-runtime~"+pin); err != nil {
				t.Fatalf("apk add faas-runtime~%s: %v\n%s", pin, err, out)
			}
			installed(t, filepath.Join(root, "usr/bin/faas-runtime"))
		})
	}
}
