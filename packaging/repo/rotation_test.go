package repo_test

// Key rotation: 0.1.0 was published with the old key; 0.2.0 is signed with a
// new key and published in a transition repository whose metadata both keys
// sign; after the transition the metadata is signed by the new key only.
// Real clients that know only the old key keep working during the
// transition and refuse the repository after it.

import (
	"context"
	"fmt"
	"io"
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

const newAPKKeyName = "faas-runtime-2.rsa.pub"

func TestKeyRotation(t *testing.T) {
	testutil.NeedRoot(t)
	h := repotest.HistoryRepo(t)
	old := repoKeys(t)
	newKeys, err := signing.Load(func(k string) string {
		if k == signing.EnvAPKKeyName {
			return newAPKKeyName
		}
		return ""
	}, t.TempDir(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tmp := t.TempDir()
	pk := filepath.Join(tmp, "packages-0.2.0")
	if _, err := packages.Run(ctx, packages.Options{Root: testutil.RepoRoot(t), Out: pk, Keys: newKeys, Version: v2,
		SourceDateEpoch: repotest.HistoryReleases[1].SourceDateEpoch, Arches: []string{"amd64"}}); err != nil {
		t.Fatal(err)
	}
	// Without the old key as a transition key, publishing onto its repository is refused.
	err = repo.Build(ctx, repo.Options{Packages: pk, Out: filepath.Join(tmp, "refused"), Keys: newKeys, From: h.First})
	if err == nil || !strings.Contains(err.Error(), "transition key") {
		t.Fatalf("publishing with a new key onto the old key's repository: %v, want a refusal naming the transition", err)
	}
	transition, after := filepath.Join(tmp, "transition"), filepath.Join(tmp, "after")
	if err := repo.Build(ctx, repo.Options{Packages: pk, Out: transition, Keys: newKeys, From: h.First, Transition: []*signing.Keys{old}}); err != nil {
		t.Fatal(err)
	}
	if err := repo.Build(ctx, repo.Options{Packages: pk, Out: after, Keys: newKeys, From: transition}); err != nil {
		t.Fatal(err)
	}
	tBase, aBase := repotest.Serve(t, transition), repotest.Serve(t, after)
	oldKeyring := filepath.Join(h.First, repo.DebKeyring)
	oldRPMKey := filepath.Join(h.First, repo.RPMKey)
	oldAPKKey := readFile(t, filepath.Join(h.First, repo.AlpineDir, signing.DefaultAPKKeyName))

	t.Run("gpgv", func(t *testing.T) {
		testutil.Need(t, "gpgv")
		in := filepath.Join(transition, repo.DebDir, "dists", repo.DebSuite, "InRelease")
		for _, kr := range []string{oldKeyring, filepath.Join(after, repo.DebKeyring)} {
			if out, err := runErr("", nil, "gpgv", "--keyring", kr, in); err != nil && !strings.Contains(out, "Good signature") {
				t.Errorf("gpgv --keyring %s: %v\n%s", kr, err, out)
			}
		}
	})

	t.Run("apt", func(t *testing.T) {
		testutil.Need(t, "apt-get")
		update := func(base, keyring string) (string, error) {
			_, env := aptConfig(t, base, keyring)
			return runErr("", env, "apt-get", "update", "-o", "APT::Update::Error-Mode=any")
		}
		if out, err := update(tBase, oldKeyring); err != nil || strings.Contains(out, "NO_PUBKEY") {
			t.Errorf("an apt client with the old key refused the transition repository: %v\n%s", err, out)
		}
		if out, err := update(tBase, filepath.Join(transition, repo.DebKeyring)); err != nil {
			t.Errorf("the transition keyring (both keys): %v\n%s", err, out)
		}
		if out, err := update(aBase, oldKeyring); err == nil || !strings.Contains(out, "NO_PUBKEY") {
			t.Errorf("an apt client with only the old key accepted metadata signed only by the new key: %v\n%s", err, out)
		}
		if out, err := update(aBase, filepath.Join(transition, repo.DebKeyring)); err != nil {
			t.Errorf("the keyring published during the transition does not verify the repository after it: %v\n%s", err, out)
		}
	})

	t.Run("dnf", func(t *testing.T) {
		testutil.Need(t, "dnf")
		dnf := func(base, gpgkey string, args ...string) (string, error) {
			root, cfg := t.TempDir(), t.TempDir()
			os.MkdirAll(filepath.Join(cfg, "repos"), 0o755)
			if gpgkey == "" {
				// The published key file, as served (Python dnf imports a remote key).
				gpgkey = base + "/" + repo.RPMKey
			}
			rf := strings.Replace(repo.YumRepoFile(base), "gpgkey=file://"+repo.RPMKeyPath, "gpgkey="+gpgkey, 1)
			os.WriteFile(filepath.Join(cfg, "repos", "faas-runtime.repo"), []byte(rf), 0o644)
			os.WriteFile(filepath.Join(cfg, "dnf.conf"), []byte(fmt.Sprintf("[main]\ngpgcheck=1\nrepo_gpgcheck=1\nreposdir=%[1]s/repos\ncachedir=%[1]s/cache\nlogdir=%[1]s/log\npersistdir=%[1]s/persist\ninstall_weak_deps=0\n", cfg)), 0o644)
			return runErr("", nil, "dnf", append([]string{"-c", filepath.Join(cfg, "dnf.conf"), "--installroot=" + root, "--releasever=9", "--forcearch=x86_64", "-y"}, args...)...)
		}
		// The published key file holds both keys: 0.1.0 (old key) and 0.2.0 (new key) install.
		if out, err := dnf(tBase, "", "install", "faas-runtime-"+v1, "runtime-init-"+v2); err != nil {
			t.Errorf("dnf from the transition repository: %v\n%s", err, out)
		}
		// A client pinned to the old key file reads the transition metadata...
		if out, err := dnf(tBase, "file://"+oldRPMKey, "install", "faas-runtime-"+v1); err != nil {
			t.Errorf("dnf with the old key on the transition repository: %v\n%s", err, out)
		}
		// ...and refuses the repository signed by the new key only.
		if out, err := dnf(aBase, "file://"+oldRPMKey, "install", "faas-runtime-"+v1); err == nil {
			t.Errorf("dnf with only the old key accepted repomd.xml signed only by the new key:\n%s", out)
		}
	})

	t.Run("apk", func(t *testing.T) {
		for _, tool := range []string{"apk2", "apk3"} {
			t.Run(tool, func(t *testing.T) {
				bin := apkTool(t, tool)
				apk := func(base string, keys map[string][]byte, args ...string) (string, error) {
					root := t.TempDir()
					os.MkdirAll(filepath.Join(root, "etc/apk/keys"), 0o755)
					for n, k := range keys {
						os.WriteFile(filepath.Join(root, "etc/apk/keys", n), k, 0o644)
					}
					return runErr("", nil, bin, append([]string{"--root", root, "--initdb", "--arch", "x86_64", "--no-cache", "--no-scripts",
						"-X", repo.ApkRepository(base)}, args...)...)
				}
				oldOnly := map[string][]byte{signing.DefaultAPKKeyName: oldAPKKey}
				both := map[string][]byte{signing.DefaultAPKKeyName: oldAPKKey, newAPKKeyName: readFile(t, filepath.Join(transition, repo.AlpineDir, newAPKKeyName))}
				pin := "faas-runtime=" + h.Results[v1].FormatVersions["apk"]
				if out, err := apk(tBase, oldOnly, "add", pin); err != nil {
					t.Errorf("%s with the old key on the transition repository: %v\n%s", tool, err, out)
				}
				if out, err := apk(tBase, both, "add", "faas-runtime"); err != nil {
					t.Errorf("%s with both keys: %v\n%s", tool, err, out)
				}
				if out, err := apk(aBase, oldOnly, "add", pin); err == nil {
					t.Errorf("%s with only the old key accepted an APKINDEX signed only by the new key:\n%s", tool, out)
				}
			})
		}
	})

	t.Run("pacman", func(t *testing.T) {
		testutil.Need(t, "pacman", "gpg")
		keyring := func(pub string) string {
			gpgdir := t.TempDir()
			run(t, "", nil, "gpg", "--homedir", gpgdir, "--batch", "--import", pub)
			var trust strings.Builder
			for _, l := range strings.Split(run(t, "", nil, "gpg", "--homedir", gpgdir, "--batch", "--with-colons", "--list-keys"), "\n") {
				if f := strings.Split(l, ":"); f[0] == "fpr" && len(f) > 9 {
					trust.WriteString(f[9] + ":6:\n")
				}
			}
			cmd := exec.Command("gpg", "--homedir", gpgdir, "--batch", "--import-ownertrust")
			cmd.Stdin = strings.NewReader(trust.String())
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("import-ownertrust: %v\n%s", err, out)
			}
			return gpgdir
		}
		pacman := func(base, gpgdir string, args ...string) (string, error) {
			root := t.TempDir()
			os.MkdirAll(filepath.Join(root, "var/lib/pacman"), 0o755)
			cf := filepath.Join(t.TempDir(), "pacman.conf")
			os.WriteFile(cf, []byte("[options]\nArchitecture = x86_64\nSigLevel = Required DatabaseRequired\nDisableSandbox\n"+repo.PacmanSection(base, "")), 0o644)
			return runErr("", nil, "pacman", append([]string{"--root", root, "--config", cf, "--dbpath", filepath.Join(root, "var/lib/pacman"),
				"--cachedir", t.TempDir(), "--gpgdir", gpgdir, "--noconfirm", "--noprogressbar"}, args...)...)
		}
		oldRing := keyring(filepath.Join(h.First, repo.PGPPublicKey))
		bothRing := keyring(filepath.Join(transition, repo.PGPPublicKey))
		// pacman wants every signature of a database from a known key, so
		// its users add the new key (published in faas-runtime.asc during the
		// transition) before updating: documented in docs/packages.md.
		if out, err := pacman(tBase, oldRing, "-Sy"); err == nil || !strings.Contains(out, "is unknown") {
			t.Errorf("pacman with only the old key on the transition repository: %v, want an unknown-key refusal\n%s", err, out)
		}
		if out, err := pacman(tBase, bothRing, "-Sy", "faas-runtime"); err != nil {
			t.Errorf("pacman with both keys on the transition repository: %v\n%s", err, out)
		}
		if out, err := pacman(aBase, oldRing, "-Sy", "faas-runtime"); err == nil {
			t.Errorf("pacman with only the old key accepted a database signed only by the new key:\n%s", out)
		}
	})
}

// aptConfig is a private apt configuration (no chroot) reading base with keyring.
func aptConfig(t *testing.T, base, keyring string) (string, []string) {
	t.Helper()
	a := t.TempDir()
	for _, d := range []string{"etc/apt/apt.conf.d", "etc/apt/preferences.d", "etc/apt/trusted.gpg.d", "etc/apt/sources.list.d",
		"var/lib/apt/lists/partial", "var/cache/apt/archives/partial", "var/lib/dpkg"} {
		os.MkdirAll(filepath.Join(a, d), 0o755)
	}
	os.WriteFile(filepath.Join(a, "var/lib/dpkg/status"), nil, 0o644)
	os.WriteFile(filepath.Join(a, "keyring.gpg"), readFile(t, keyring), 0o644)
	src := strings.Replace(repo.AptSourcesLine(base), "/etc/apt/keyrings/faas-runtime-archive-keyring.gpg", filepath.Join(a, "keyring.gpg"), 1)
	os.WriteFile(filepath.Join(a, "etc/apt/sources.list"), []byte(src), 0o644)
	conf := fmt.Sprintf("Dir \"%[1]s/\";\nDir::State \"%[1]s/var/lib/apt\";\nDir::State::status \"%[1]s/var/lib/dpkg/status\";\nDir::Cache \"%[1]s/var/cache/apt\";\nDir::Etc \"%[1]s/etc/apt\";\nAPT::Architecture \"amd64\";\nAPT::Sandbox::User \"root\";\nDebug::NoLocking \"true\";\n", a)
	os.WriteFile(filepath.Join(a, "apt.conf"), []byte(conf), 0o644)
	return a, []string{"APT_CONFIG=" + filepath.Join(a, "apt.conf")}
}
