package repo_test

// Installs faas-runtime from the repository served on 127.0.0.1 with the
// real package managers (dnf, apt + dpkg, pacman, go-apk) and checks
// signatures with the real verifiers (rpm -K, apt's InRelease check,
// pacman's keyring), as a user of each platform would.

import (
	"bytes"
	"context"
	"debug/elf"
	"debug/pe"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/meta"
	"github.com/faas-runtime/faas-runtime/packaging/packages"
	"github.com/faas-runtime/faas-runtime/packaging/repo"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	out, err := runErr(dir, env, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func runErr(dir string, env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// checkBinary asserts path is an ELF for goarch whose --version prints version.
func checkBinary(t *testing.T, path, goarch, version string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[goarch]
	if f.Machine != want {
		t.Errorf("%s is %v, want %v", path, f.Machine, want)
	}
	f.Close()
	var out string
	if goarch == "arm64" {
		testutil.Need(t, "qemu-aarch64-static")
		out = run(t, "", nil, "qemu-aarch64-static", path, "--version")
	} else {
		out = run(t, "", nil, path, "--version")
	}
	if !strings.Contains(out, version) {
		t.Errorf("%s --version = %q, want %s", path, out, version)
	}
}

func manifest(t *testing.T) (string, *packages.Result) {
	return repotest.Packages(t)
}

func TestRPM(t *testing.T) {
	testutil.NeedRoot(t)
	testutil.Need(t, "rpm", "dnf", "rpmlint", "unshare", "mount")
	base := repotest.ServeRepo(t)
	dir := repotest.Dir(t)
	pkgs, m := manifest(t)
	rpms := m.Find("rpm", "", "")
	if want := countTargets(t, "rpm"); len(rpms) != want {
		t.Fatalf("%d rpm packages, want %d (packages x arches)", len(rpms), want)
	}
	// rpm -K: NOKEY without the key, OK with it.
	db := t.TempDir()
	pkg := filepath.Join(pkgs, rpms[0].Path)
	if out, _ := runErr("", nil, "rpm", "--dbpath", db, "-Kv", pkg); !strings.Contains(out, "NOKEY") {
		t.Errorf("rpm -K without the key should say NOKEY:\n%s", out)
	}
	run(t, "", nil, "rpm", "--dbpath", db, "--import", filepath.Join(dir, repo.RPMKey))
	for _, a := range rpms {
		out := run(t, "", nil, "rpm", "--dbpath", db, "-Kv", filepath.Join(pkgs, a.Path))
		if !strings.Contains(out, "V4 RSA/SHA256 Signature") || strings.Contains(out, "NOKEY") || strings.Contains(out, "BAD") {
			t.Errorf("rpm -K %s: want an RSA/SHA256 signature, OK:\n%s", a.Path, out)
		}
	}
	out := run(t, "", nil, "rpm", "-qp", "--nosignature", "--qf", "%{VERSION}-%{RELEASE} %{LICENSE} %{URL}", pkg)
	if want := m.FormatVersions["rpm"] + " MIT https://github.com/faas-runtime/faas-runtime"; out != want {
		t.Errorf("rpm metadata %q, want %q", out, want)
	}

	// dnf --installroot with gpgcheck and repo_gpgcheck on, from the served repo.
	root, cfg := t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(cfg, "repos"), 0o755)
	keyDir := pinnedKeyDir(t, readFile(t, filepath.Join(dir, repo.RPMKey)))
	os.WriteFile(filepath.Join(cfg, "repos", "faas-runtime.repo"), []byte(repo.YumRepoFile(base)), 0o644)
	conf := fmt.Sprintf("[main]\ngpgcheck=1\nrepo_gpgcheck=1\nreposdir=%[1]s/repos\ncachedir=%[1]s/cache\nlogdir=%[1]s/log\npersistdir=%[1]s/persist\ninstall_weak_deps=0\n", cfg)
	os.WriteFile(filepath.Join(cfg, "dnf.conf"), []byte(conf), 0o644)
	run(t, "", nil, "unshare", pinnedDnf(keyDir, "-c", filepath.Join(cfg, "dnf.conf"), "--installroot="+root, "--releasever=9",
		"--forcearch=x86_64", "-y", "install", "faas-runtime")...)
	checkBinary(t, filepath.Join(root, "usr/bin/faas-runtime"), "amd64", m.Version)
	if _, err := os.Stat(filepath.Join(root, "usr/share/licenses/faas-runtime/LICENSE")); err != nil {
		t.Errorf("license not installed: %v", err)
	}

	// A repomd.xml signed by another key is refused.
	other := t.TempDir()
	copyTree(t, filepath.Join(dir, "rpm"), filepath.Join(other, "rpm"))
	k := otherKeys(t)
	sig, err := k.DetachSign(bytes.NewReader(readFile(t, filepath.Join(other, "rpm/repodata/repomd.xml"))), true)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(other, "rpm/repodata/repomd.xml.asc"), sig, 0o644)
	otherBase := repotest.Serve(t, other)
	root2, cfg2 := t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(cfg2, "repos"), 0o755)
	// Our key is pinned at gpgkey=, so only the signature differs.
	os.WriteFile(filepath.Join(cfg2, "repos", "faas-runtime.repo"), []byte(repo.YumRepoFile(otherBase)), 0o644)
	os.WriteFile(filepath.Join(cfg2, "dnf.conf"), []byte(strings.ReplaceAll(conf, cfg, cfg2)), 0o644)
	if out, err := runErr("", nil, "unshare", pinnedDnf(keyDir, "-c", filepath.Join(cfg2, "dnf.conf"), "--installroot="+root2, "--releasever=9",
		"--forcearch=x86_64", "-y", "install", "faas-runtime")...); err == nil {
		t.Errorf("dnf installed from a repository whose repomd.xml is signed by another key:\n%s", out)
	}

	t.Run("rpmlint", func(t *testing.T) { rpmlint(t, pkgs, rpms) })
}

// pinnedKeyDir returns a directory holding the OpenPGP key under the name
// the .repo file's gpgkey=file:// gives it.
func pinnedKeyDir(t *testing.T, key []byte) string {
	t.Helper()
	d := t.TempDir()
	if err := os.WriteFile(filepath.Join(d, filepath.Base(repo.RPMKeyPath)), key, 0o644); err != nil {
		t.Fatal(err)
	}
	// The mount point; an empty directory, as on any rpm distribution.
	if err := os.MkdirAll(filepath.Dir(repo.RPMKeyPath), 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// pinnedDnf is unshare's arguments to run dnf with keyDir mounted on the
// key's directory in a private mount namespace: dnf --installroot reads a
// gpgkey=file:// from the host, not the installroot, and the host's
// /etc/pki/rpm-gpg is shared by every test running on it.
func pinnedDnf(keyDir string, args ...string) []string {
	return append([]string{"--mount", "--propagation", "private", "sh", "-c",
		`mount --bind "$0" "$1" && shift && exec dnf "$@"`, keyDir, filepath.Dir(repo.RPMKeyPath)}, args...)
}

// rpmFiles lists the files an rpm installs (from its header).
func rpmFiles(t *testing.T, pkg string) []string {
	t.Helper()
	return strings.Fields(run(t, "", nil, "rpm", "-qpl", "--nosignature", pkg))
}

// The payload names members ./usr/..., as rpmbuild does, so that
// `rpm2cpio | cpio -id` unpacks into the current directory, not into /.
func TestRPMPayloadPaths(t *testing.T) {
	testutil.Need(t, "rpm2cpio", "cpio", "bash")
	pkgs, m := manifest(t)
	for _, a := range m.Find("rpm", "", "") {
		p := filepath.Join(pkgs, a.Path)
		out := run(t, "", nil, "bash", "-c", `set -o pipefail; rpm2cpio "$1" | cpio --quiet -t`, "sh", p)
		names := strings.Fields(out)
		if len(names) == 0 {
			t.Fatalf("%s: empty payload", a.Path)
		}
		for _, n := range names {
			if !strings.HasPrefix(n, "./") {
				t.Errorf("%s: payload member %q is not ./-relative", a.Path, n)
			}
		}
		// Unpacked in a directory, every file the header lists lands there.
		dir := t.TempDir()
		run(t, dir, nil, "bash", "-c", `set -o pipefail; rpm2cpio "$1" | cpio --quiet -idm`, "sh", p)
		for _, f := range rpmFiles(t, p) {
			if _, err := os.Lstat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%s: %s not unpacked into the directory: %v", a.Path, f, err)
			}
		}
	}
}

// rpmlint with the documented filters (packaging/lint/rpmlint.toml), confined:
// rpmlint unpacks with rpm2cpio | cpio -id, and however the payload names its
// members, nothing may land in the machine's own /usr.
func rpmlint(t *testing.T, pkgs string, rpms []packages.Artifact) {
	var paths, files []string
	tops := map[string]bool{}
	for _, a := range rpms {
		p := filepath.Join(pkgs, a.Path)
		paths = append(paths, p)
		for _, f := range rpmFiles(t, p) {
			files = append(files, f)
			tops[strings.Split(strings.TrimPrefix(f, "/"), "/")[0]] = true
		}
	}
	var topList []string
	for top := range tops {
		topList = append(topList, top)
	}
	before := hostState(files)
	out, err, written := confined(t, topList, "rpmlint", append([]string{"-c", filepath.Join(testutil.RepoRoot(t), "packaging/lint/rpmlint.toml")}, paths...)...)
	if err != nil {
		t.Errorf("rpmlint: %v\n%s", err, out)
	}
	for top, ws := range written {
		t.Errorf("rpmlint wrote into /%s: %v", top, ws)
	}
	// rpmlint saw the binaries (an extraction that went elsewhere hides them).
	if !strings.Contains(out, "packages: "+fmt.Sprint(len(rpms))) {
		t.Errorf("rpmlint did not check %d packages:\n%s", len(rpms), out)
	}
	after := hostState(files)
	for _, f := range files {
		if before[f] != after[f] {
			t.Errorf("%s changed on this machine: %s -> %s", f, before[f], after[f])
		}
	}
}

func TestDeb(t *testing.T) {
	testutil.NeedRoot(t)
	testutil.Need(t, "apt-get", "dpkg", "lintian")
	base := repotest.ServeRepo(t)
	dir := repotest.Dir(t)
	pkgs, m := manifest(t)

	aptRoot := func(keyring string) (string, []string) {
		a := t.TempDir()
		for _, d := range []string{"etc/apt/apt.conf.d", "etc/apt/preferences.d", "etc/apt/trusted.gpg.d", "etc/apt/sources.list.d",
			"var/lib/apt/lists/partial", "var/cache/apt/archives/partial", "var/lib/dpkg"} {
			os.MkdirAll(filepath.Join(a, d), 0o755)
		}
		os.WriteFile(filepath.Join(a, "var/lib/dpkg/status"), nil, 0o644)
		os.WriteFile(filepath.Join(a, "keyring.gpg"), readFile(t, keyring), 0o644)
		src := strings.Replace(repo.AptSourcesLine(base), "/etc/apt/keyrings/faas-runtime-archive-keyring.gpg", filepath.Join(a, "keyring.gpg"), 1)
		os.WriteFile(filepath.Join(a, "etc/apt/sources.list"), []byte(src), 0o644)
		conf := fmt.Sprintf(`Dir "%[1]s/";
Dir::State "%[1]s/var/lib/apt";
Dir::State::status "%[1]s/var/lib/dpkg/status";
Dir::Cache "%[1]s/var/cache/apt";
Dir::Etc "%[1]s/etc/apt";
APT::Architecture "amd64";
APT::Sandbox::User "root";
Debug::NoLocking "true";
`, a)
		os.WriteFile(filepath.Join(a, "apt.conf"), []byte(conf), 0o644)
		return a, []string{"APT_CONFIG=" + filepath.Join(a, "apt.conf")}
	}

	// A keyring with another key: update must fail on InRelease's signature.
	wrong := filepath.Join(t.TempDir(), "wrong.gpg")
	pub, err := otherKeys(t).PublicPGP(false)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(wrong, pub, 0o644)
	_, env := aptRoot(wrong)
	if out, err := runErr("", env, "apt-get", "update", "-o", "APT::Update::Error-Mode=any"); err == nil ||
		!strings.Contains(out, "NO_PUBKEY") && !strings.Contains(out, "not signed") {
		t.Errorf("apt-get update with the wrong key: err=%v, want a signature failure:\n%s", err, out)
	}

	a, env := aptRoot(filepath.Join(dir, repo.DebKeyring))
	out := run(t, "", env, "apt-get", "update", "-o", "APT::Update::Error-Mode=any")
	if strings.Contains(out, "NO_PUBKEY") || strings.Contains(out, "not signed") {
		t.Fatalf("apt-get update:\n%s", out)
	}
	run(t, a, env, "apt-get", "download", "faas-runtime", "runtime-init")
	debs, _ := filepath.Glob(filepath.Join(a, "*.deb"))
	if len(debs) != 2 {
		t.Fatalf("apt-get download gave %v", debs)
	}

	// dpkg --root needs a minimal dpkg database in the root.
	root := t.TempDir()
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), nil, 0o644)
	run(t, "", nil, "dpkg", "--root", root, "--force-script-chrootless", "--log=/dev/null", "-i", debs[0], debs[1])
	checkBinary(t, filepath.Join(root, "usr/bin/faas-runtime"), "amd64", m.Version)
	checkBinary(t, filepath.Join(root, "usr/bin/runtime-init"), "amd64", m.Version)
	for _, f := range []string{"usr/share/doc/faas-runtime/copyright", "usr/share/man/man1/runtime-init.1.gz",
		"usr/share/bash-completion/completions/runtime-init", "usr/share/zsh/site-functions/_runtime-init",
		"usr/share/fish/vendor_completions.d/runtime-init.fish"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("not installed: %v", err)
		}
	}
	out = run(t, "", nil, "dpkg", "--root", root, "-s", "faas-runtime")
	if !strings.Contains(out, "Version: "+m.FormatVersions["deb"]) {
		t.Errorf("dpkg -s: want version %s:\n%s", m.FormatVersions["deb"], out)
	}
	// The completion script is valid bash.
	run(t, "", nil, "bash", "-n", filepath.Join(root, "usr/share/bash-completion/completions/runtime-init"))

	// lintian with the documented suppressions (packaging/lint/lintian-suppress).
	sup := filepath.Join(t.TempDir(), "suppress")
	var tags []string
	for _, l := range strings.Split(string(readFile(t, filepath.Join(testutil.RepoRoot(t), "packaging/lint/lintian-suppress"))), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			tags = append(tags, l)
		}
	}
	os.WriteFile(sup, []byte(strings.Join(tags, "\n")+"\n"), 0o644)
	var paths []string
	for _, d := range m.Find("deb", "", "amd64") {
		paths = append(paths, filepath.Join(pkgs, d.Path))
	}
	out = run(t, "", nil, "lintian", append([]string{"--fail-on", "error,warning", "--suppress-tags-from-file", sup}, paths...)...)
	if strings.Contains(out, "E: ") || strings.Contains(out, "W: ") {
		t.Errorf("lintian:\n%s", out)
	}
}

func TestAPK(t *testing.T) {
	// Installs and index signatures: TestApkTools, with apk-tools 2 and 3
	// (go-apk reads only SHA-1 index signatures).
	dir := repotest.Dir(t)
	pkgs, m := manifest(t)
	ctx := context.Background()
	keyFile := filepath.Join(dir, repo.AlpineDir, signing.DefaultAPKKeyName)
	keys := map[string][]byte{signing.DefaultAPKKeyName: readFile(t, keyFile)}
	ok := otherKeys(t)

	// Every package verifies; a package signed by another key is refused,
	// and a repository is not built from it.
	for _, p := range m.Find("apk", "", "") {
		if err := repo.VerifyAPK(filepath.Join(pkgs, p.Path), keys); err != nil {
			t.Error(err)
		}
	}
	otherDist := t.TempDir()
	res, err := packages.Run(ctx, packages.Options{Root: testutil.RepoRoot(t), Out: filepath.Join(otherDist, "packages"),
		Keys: ok, Formats: []string{"apk"}, Arches: []string{"amd64"}, SourceDateEpoch: m.SourceDateEpoch})
	if err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(otherDist, "packages", res.Find("apk", "faas-runtime", "")[0].Path)
	if err := repo.VerifyAPK(foreign, keys); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("VerifyAPK accepted a package signed by another key: %v", err)
	}
	err = repo.Build(ctx, repo.Options{Packages: filepath.Join(otherDist, "packages"), Out: filepath.Join(otherDist, "repo"), Keys: repoKeys(t)})
	if err == nil || !strings.Contains(err.Error(), "signed with key") {
		t.Errorf("repo.Build with packages signed by another key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(otherDist, "repo")); !os.IsNotExist(err) {
		t.Errorf("a failed repo.Build left %s behind", filepath.Join(otherDist, "repo"))
	}
}

func TestPacman(t *testing.T) {
	testutil.NeedRoot(t)
	testutil.Need(t, "pacman", "gpg")
	base := repotest.ServeRepo(t)
	dir := repotest.Dir(t)
	_, m := manifest(t)

	// A pacman keyring that trusts our key (what pacman-key --add and
	// --lsign-key do, without generating a master key).
	gpgdir := t.TempDir()
	run(t, "", nil, "gpg", "--homedir", gpgdir, "--batch", "--import", filepath.Join(dir, repo.PGPPublicKey))
	rm, err := repo.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	fpr := rm.KeyFingerprint
	cmd := exec.Command("gpg", "--homedir", gpgdir, "--batch", "--import-ownertrust")
	cmd.Stdin = strings.NewReader(fpr + ":6:\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("import-ownertrust: %v\n%s", err, out)
	}

	install := func(section, arch string, pkgs ...string) (string, error) {
		root := t.TempDir()
		os.MkdirAll(filepath.Join(root, "var/lib/pacman"), 0o755)
		conf := fmt.Sprintf("[options]\nArchitecture = %s\nSigLevel = Required DatabaseRequired\nDisableSandbox\n%s", arch, section)
		cf := filepath.Join(t.TempDir(), "pacman.conf")
		os.WriteFile(cf, []byte(conf), 0o644)
		out, err := runErr("", nil, "pacman", append([]string{"--root", root, "--config", cf, "--dbpath", filepath.Join(root, "var/lib/pacman"),
			"--cachedir", t.TempDir(), "--gpgdir", gpgdir, "--noconfirm", "--noprogressbar", "-Sy"}, pkgs...)...)
		if err != nil {
			return out, err
		}
		return root, nil
	}

	root, err := install(repo.PacmanSection(base, ""), "x86_64", "faas-runtime", "runtime-init")
	if err != nil {
		t.Fatalf("pacman -S: %v\n%s", err, root)
	}
	checkBinary(t, filepath.Join(root, "usr/bin/faas-runtime"), "amd64", m.Version)
	checkBinary(t, filepath.Join(root, "usr/bin/runtime-init"), "amd64", m.Version)

	// arm64 packages install too (pacman's Architecture), and run under qemu.
	root, err = install(repo.PacmanSection(base, ""), "aarch64", "faas-runtime")
	if err != nil {
		t.Fatalf("pacman -S (aarch64): %v\n%s", err, root)
	}
	checkBinary(t, filepath.Join(root, "usr/bin/faas-runtime"), "arm64", m.Version)

	// MSYS2: a prebuilt package per environment, UCRT64 (x86_64) and
	// CLANGARM64 (Windows on Arm), lays out PREFIX/bin/*.exe for its machine,
	// the man page and completions, with MINGW-packages' pkgbase.
	for _, env := range []struct {
		goarch  string
		machine uint16
	}{{"amd64", pe.IMAGE_FILE_MACHINE_AMD64}, {"arm64", pe.IMAGE_FILE_MACHINE_ARM64}} {
		e := packages.MSYS2Envs[env.goarch]
		name := packages.MSYS2PackageName("runtime-init", env.goarch)
		root, err = install(repo.PacmanSection(base, e.Name), "x86_64", name)
		if err != nil {
			t.Fatalf("pacman -S %s: %v\n%s", name, err, root)
		}
		// runtime-init only: the Lambda bootstrap has no use on Windows.
		if _, err := os.Stat(filepath.Join(root, e.Prefix, "bin/faas-runtime.exe")); err == nil {
			t.Errorf("%s ships faas-runtime.exe", name)
		}
		for _, exe := range []string{"bin/runtime-init.exe"} {
			f, err := pe.Open(filepath.Join(root, e.Prefix, exe))
			if err != nil {
				t.Errorf("%s%s: %v", e.Prefix, exe, err)
				continue
			}
			if f.Machine != env.machine {
				t.Errorf("%s/%s is for machine %#x, want %#x", e.Prefix, exe, f.Machine, env.machine)
			}
			f.Close()
		}
		for _, f := range []string{"share/man/man1/runtime-init.1.gz", "share/bash-completion/completions/runtime-init",
			"share/zsh/site-functions/_runtime-init", "share/fish/vendor_completions.d/runtime-init.fish"} {
			if _, err := os.Stat(filepath.Join(root, e.Prefix, f)); err != nil {
				t.Errorf("MSYS2 package %s: %v", name, err)
			}
		}
		descs, _ := filepath.Glob(filepath.Join(root, "var/lib/pacman/local/"+name+"-*/desc"))
		if len(descs) != 1 || !strings.Contains(string(readFile(t, descs[0])), "%BASE%\nmingw-w64-runtime-init\n") {
			t.Errorf("MSYS2 package %s's pkgbase is not mingw-w64-runtime-init (%v)", name, descs)
		}
	}

	// A database signed by another key is refused.
	other := t.TempDir()
	copyTree(t, filepath.Join(dir, repo.ArchDir), filepath.Join(other, repo.ArchDir))
	k := otherKeys(t)
	for _, db := range []string{"faas-runtime.db", "faas-runtime.db.tar.gz"} {
		p := filepath.Join(other, repo.ArchDir, "x86_64", db)
		sig, err := k.DetachSign(bytes.NewReader(readFile(t, p)), false)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(p+".sig", sig, 0o644)
	}
	if out, err := install(repo.PacmanSection(repotest.Serve(t, other), ""), "x86_64", "faas-runtime"); err == nil {
		t.Errorf("pacman accepted a database signed by another key (root %s)", out)
	}
}

func TestPKGBUILD(t *testing.T) {
	testutil.NeedRoot(t)
	testutil.Need(t, "makepkg", "useradd", "runuser")
	pkgs, m := manifest(t)
	src := filepath.Join(pkgs, m.Find("pkgbuild", "", "")[0].Path)
	// makepkg refuses root: run it as an unprivileged build user.
	if _, err := runErr("", nil, "id", "faasbuild"); err != nil {
		run(t, "", nil, "useradd", "--system", "--no-create-home", "--shell", "/bin/sh", "faasbuild")
	}
	// t.TempDir's parent is private to root: the build user needs a path it can reach.
	work, err := os.MkdirTemp("", "faas-pkgbuild-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(work) })
	os.Chmod(work, 0o777)
	os.WriteFile(filepath.Join(work, "PKGBUILD"), readFile(t, src), 0o644)
	out := run(t, work, nil, "runuser", "-u", "faasbuild", "--", "env", "MINGW_PACKAGE_PREFIX=mingw-w64-ucrt-x86_64",
		"MINGW_PREFIX=/ucrt64", "makepkg", "--printsrcinfo")
	// The .SRCINFO shipped beside the PKGBUILD is makepkg's, byte for byte.
	srcinfo := string(readFile(t, filepath.Join(pkgs, m.Find("srcinfo", "", "")[0].Path)))
	if out != srcinfo {
		t.Errorf("makepkg --printsrcinfo differs from the shipped .SRCINFO:\n--- makepkg\n%s\n--- .SRCINFO\n%s", out, srcinfo)
	}
	sum := m.Find("source", "", "")[0].SHA256
	for _, want := range []string{
		"pkgbase = mingw-w64-runtime-init",
		"pkgname = mingw-w64-ucrt-x86_64-runtime-init",
		"makedepends = mingw-w64-ucrt-x86_64-go",
		"sha256sums = " + sum,
		"source = " + packages.SourceURL(packages.DefaultDownloadURL, m.Version),
	} {
		if !strings.Contains(out, want) {
			t.Errorf(".SRCINFO lacks %q:\n%s", want, out)
		}
	}
	pkgbuild := string(readFile(t, src))
	for _, want := range []string{"_realname=runtime-init", "pkgbase=mingw-w64-${_realname}", `pkgname=("${MINGW_PACKAGE_PREFIX}-${_realname}")`,
		"mingw_arch=('mingw64' 'ucrt64' 'clang64' 'clangarm64')", "msys2_references=('purl: pkg:golang/github.com/faas-runtime/faas-runtime')",
		"msys2_repository_url='https://github.com/faas-runtime/faas-runtime'",
		`export GOROOT="${MINGW_PREFIX}/lib/go"`, "-modcacherw", "-buildmode=pie", "-trimpath",
		`"${pkgdir}${MINGW_PREFIX}/share/man/man1/runtime-init.1.gz"`,
		`"${pkgdir}${MINGW_PREFIX}/share/bash-completion/completions/runtime-init"`,
		`"${pkgdir}${MINGW_PREFIX}/share/zsh/site-functions/_runtime-init"`,
		`"${pkgdir}${MINGW_PREFIX}/share/fish/vendor_completions.d/runtime-init.fish"`} {
		if !strings.Contains(pkgbuild, want) {
			t.Errorf("PKGBUILD lacks %q", want)
		}
	}
	// The Lambda bootstrap has no use on Windows.
	if strings.Contains(pkgbuild, "faas-runtime.exe") || strings.Contains(pkgbuild, "./cmd/faas-runtime") {
		t.Errorf("PKGBUILD builds or ships faas-runtime.exe")
	}
}

// The PKGBUILD's build() compiles on MSYS2: here its commands run
// cross-compiled for UCRT64 (amd64) and CLANGARM64 (arm64), with
// ${MINGW_PREFIX}/lib/go pointing at this machine's Go. The three lines
// that run the freshly built runtime-init.exe (man page, completions) need
// Windows and are left out; the same commands run natively in
// internal/cli's TestManCommand and TestCompletionCommand. The .exe must be
// a position-independent PE with ASLR: DYNAMIC_BASE and HIGH_ENTROPY_VA.
func TestPKGBUILDCrossBuild(t *testing.T) {
	testutil.Slow(t, "compiles runtime-init for Windows twice")
	testutil.Need(t, "go", "bash", "tar")
	pkgs, m := manifest(t)
	pkgbuild := filepath.Join(pkgs, m.Find("pkgbuild", "", "")[0].Path)
	archive := filepath.Join(pkgs, m.Find("source", "", "")[0].Path)
	goroot := strings.TrimSpace(run(t, "", nil, "go", "env", "GOROOT"))
	for _, env := range []struct {
		name, goarch string
		machine      uint16
	}{{"ucrt64", "amd64", pe.IMAGE_FILE_MACHINE_AMD64}, {"clangarm64", "arm64", pe.IMAGE_FILE_MACHINE_ARM64}} {
		t.Run(env.name, func(t *testing.T) {
			srcdir, prefix := t.TempDir(), t.TempDir()
			run(t, srcdir, nil, "tar", "-xzf", archive)
			os.MkdirAll(filepath.Join(prefix, "lib"), 0o755)
			if err := os.Symlink(goroot, filepath.Join(prefix, "lib", "go")); err != nil {
				t.Fatal(err)
			}
			script := `set -euo pipefail
source "$1"
eval "$(declare -f build | grep -v '\./runtime-init\.exe ')"
build`
			run(t, "", []string{"srcdir=" + srcdir, "MINGW_PREFIX=" + prefix, "MINGW_PACKAGE_PREFIX=" + packages.MSYS2Envs[env.goarch].PackagePrefix,
				"GOOS=windows", "GOARCH=" + env.goarch}, "bash", "-c", script, "bash", pkgbuild)
			exe := filepath.Join(srcdir, "faas-runtime-"+m.Version, "runtime-init.exe")
			f, err := pe.Open(exe)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Machine != env.machine {
				t.Errorf("machine %#x, want %#x", f.Machine, env.machine)
			}
			oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
			if !ok {
				t.Fatalf("not a PE32+ image: %T", f.OptionalHeader)
			}
			const aslr = pe.IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE | pe.IMAGE_DLLCHARACTERISTICS_HIGH_ENTROPY_VA
			if oh.DllCharacteristics&aslr != aslr {
				t.Errorf("DllCharacteristics %#x lacks DYNAMIC_BASE and HIGH_ENTROPY_VA (ASLR)", oh.DllCharacteristics)
			}
			// go vet passes, for Windows, on every package of this module the
			// recipe compiles (with their tests).
			winEnv := []string{"GOOS=windows", "GOARCH=" + env.goarch}
			var ours []string
			for _, p := range strings.Fields(run(t, testutil.RepoRoot(t), winEnv, "go", "list", "-deps", "./cmd/runtime-init")) {
				if strings.HasPrefix(p, meta.Project.Module+"/") {
					ours = append(ours, p)
				}
			}
			if len(ours) == 0 {
				t.Fatal("go list found none of this module's packages in runtime-init")
			}
			// No 5-minute limit here: a cold cache compiles the dependencies for Windows.
			vet := exec.Command("go", append([]string{"vet"}, ours...)...)
			vet.Dir, vet.Env = testutil.RepoRoot(t), append(os.Environ(), winEnv...)
			if out, err := vet.CombinedOutput(); err != nil {
				t.Errorf("GOOS=windows GOARCH=%s go vet: %v\n%s", env.goarch, err, out)
			}
		})
	}
}

// The formula is homebrew-core's shape for a Go CLI: runtime-init only,
// built with std_go_args, completions and man page from the binary. Its
// install and test blocks run through testdata/brew_stub.rb (the formula
// DSL without Homebrew) on the source archive. faas-pkg release pushes it
// into the tap's git repository (test/rehearsal clones a bare one).
func TestHomebrewFormula(t *testing.T) {
	testutil.Need(t, "ruby")
	dir := repotest.Dir(t)
	pkgs, m := manifest(t)
	formula := filepath.Join(dir, repo.HomebrewDir, "Formula", packages.FormulaName+".rb")
	if out := run(t, "", nil, "ruby", "-c", formula); !strings.Contains(out, "Syntax OK") {
		t.Errorf("ruby -c: %s", out)
	}
	text := string(readFile(t, formula))
	srcs := m.Find("source", "", "")
	if len(srcs) != 1 {
		t.Fatalf("source archives: %v", srcs)
	}
	sum, _, err := fileSum(filepath.Join(pkgs, srcs[0].Path))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`url "` + packages.SourceURL(packages.DefaultDownloadURL, m.Version) + `"`,
		`sha256 "` + sum + `"`, "class RuntimeInit < Formula",
		`depends_on "go" => :build`, `*std_go_args(ldflags:), "./cmd/runtime-init"`, `#{bin}/runtime-init --version`,
		`generate_completions_from_executable(bin/"runtime-init", "completion")`,
		`(man1/"runtime-init.1").write Utils.safe_popen_read(bin/"runtime-init", "man")`, `"scaffold"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("formula lacks %q", want)
		}
	}
	// The Linux Lambda bootstrap has no place on a Mac.
	if strings.Contains(text, "cmd/faas-runtime") || strings.Contains(text, `bin/"faas-runtime"`) {
		t.Errorf("formula builds or installs the faas-runtime bootstrap:\n%s", text)
	}
	for _, l := range strings.Split(text, "\n") {
		if d, ok := strings.CutPrefix(strings.TrimSpace(l), "desc "); ok && len(d)-2 >= 80 {
			t.Errorf("desc is %d characters, Homebrew wants under 80", len(d)-2)
		}
	}
	// The archive holds the tree the formula builds from.
	out := run(t, "", nil, "tar", "-tzf", filepath.Join(pkgs, srcs[0].Path))
	for _, f := range []string{"cmd/runtime-init/main.go", "go.mod", "LICENSE"} {
		if !strings.Contains(out, "faas-runtime-"+m.Version+"/"+f) {
			t.Errorf("source archive lacks %s", f)
		}
	}

	t.Run("install and test blocks", func(t *testing.T) {
		testutil.Need(t, "go", "tar")
		work := t.TempDir()
		run(t, work, nil, "tar", "-xzf", filepath.Join(pkgs, srcs[0].Path))
		prefix, testpath := filepath.Join(work, "prefix"), filepath.Join(work, "testpath")
		os.MkdirAll(testpath, 0o755)
		stub := filepath.Join(testutil.RepoRoot(t), "packaging/repo/testdata/brew_stub.rb")
		run(t, "", []string{"GOFLAGS=-buildvcs=false"}, "ruby", stub, formula, filepath.Join(work, "faas-runtime-"+m.Version), prefix, testpath, m.Version)
		for _, f := range []string{"bin/runtime-init", "share/man/man1/runtime-init.1",
			"etc/bash_completion.d/runtime-init", "share/zsh/site-functions/_runtime-init", "share/fish/vendor_completions.d/runtime-init.fish"} {
			if _, err := os.Stat(filepath.Join(prefix, f)); err != nil {
				t.Errorf("formula did not install %s", f)
			}
		}
		if page := string(readFile(t, filepath.Join(prefix, "share/man/man1/runtime-init.1"))); !strings.Contains(page, ".TH runtime-init 1") {
			t.Errorf("man page: %.200s", page)
		}
		if _, err := os.Stat(filepath.Join(prefix, "bin/faas-runtime")); err == nil {
			t.Errorf("formula installed the faas-runtime bootstrap")
		}
	})
}

func countTargets(t *testing.T, format string) int {
	ts, err := packages.Targets([]string{format}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return len(ts)
}

// Two repository builds from the same packages and keys are byte-identical,
// file by file, though the second one runs later and from fresh copies of
// the packages (new modification times, as after make clean && make repo).
func TestRepoReproducible(t *testing.T) {
	testutil.Need(t, "createrepo_c", "apt-ftparchive", "repo-add")
	pkgs, _ := manifest(t)
	keys := repoKeys(t)
	tmp := t.TempDir()
	build1 := func(name string) string {
		p := filepath.Join(tmp, name+"-packages")
		copyTree(t, pkgs, p)
		out := filepath.Join(tmp, name)
		if err := repo.Build(context.Background(), repo.Options{Packages: p, Out: out, Keys: keys}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	a := build1("a")
	time.Sleep(1100 * time.Millisecond) // a second apart: time stamps would differ
	b := build1("b")
	files := map[string]bool{}
	for _, dir := range []string{a, b} {
		filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				rel, _ := filepath.Rel(dir, p)
				files[rel] = true
			}
			return nil
		})
	}
	var differ []string
	for rel := range files {
		x, errX := os.ReadFile(filepath.Join(a, rel))
		y, errY := os.ReadFile(filepath.Join(b, rel))
		if errX != nil || errY != nil || !bytes.Equal(x, y) {
			differ = append(differ, rel)
		}
	}
	if len(files) < 50 {
		t.Errorf("only %d files in the repository", len(files))
	}
	if len(differ) > 0 {
		sort.Strings(differ)
		t.Errorf("%d of %d files differ between two builds:\n%s", len(differ), len(files), strings.Join(differ, "\n"))
	}
}

// gpgv and gpg verify the published signatures on the files themselves
// (what mirroring tools do): exit 0 and no armor complaint. A changed
// InRelease is refused.
func TestSignaturesGPG(t *testing.T) {
	testutil.Need(t, "gpg", "gpgv")
	dir := repotest.Dir(t)
	keyring := filepath.Join(dir, repo.DebKeyring)
	home := t.TempDir()
	os.Chmod(home, 0o700)
	run(t, "", nil, "gpg", "--homedir", home, "--batch", "--import", filepath.Join(dir, repo.PGPPublicKey))
	inRelease := filepath.Join(dir, repo.DebDir, "dists", repo.DebSuite, "InRelease")
	release := filepath.Join(dir, repo.DebDir, "dists", repo.DebSuite, "Release")
	repomd := filepath.Join(dir, repo.RPMDir, "repodata", "repomd.xml")
	for _, args := range [][]string{
		{"gpgv", "--keyring", keyring, inRelease},
		{"gpg", "--homedir", home, "--batch", "--verify", inRelease},
		{"gpgv", "--keyring", keyring, release + ".gpg", release},
		{"gpg", "--homedir", home, "--batch", "--verify", repomd + ".asc", repomd},
	} {
		out, err := runErr("", nil, args[0], args[1:]...)
		if err != nil || !strings.Contains(out, "Good signature") || strings.Contains(out, "invalid radix64") || strings.Contains(out, "invalid packet") {
			t.Errorf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	text := string(readFile(t, inRelease))
	if !strings.HasSuffix(text, "-----END PGP SIGNATURE-----\n") {
		t.Errorf("InRelease does not end with the END line and a newline")
	}
	tampered := filepath.Join(t.TempDir(), "InRelease")
	os.WriteFile(tampered, []byte(strings.Replace(text, "Suite: stable", "Suite: stablE", 1)), 0o644)
	if out, err := runErr("", nil, "gpgv", "--keyring", keyring, tampered); err == nil || !strings.Contains(out, "BAD signature") {
		t.Errorf("gpgv accepted a changed InRelease: %v\n%s", err, out)
	}
}

// rpm -i then rpm -e of every amd64 package leaves the root as it was:
// the packages own their directories (/usr/share/doc/NAME,
// /usr/share/licenses/NAME, /usr/include/faas), not only their files.
func TestRPMInstallRemove(t *testing.T) {
	testutil.NeedRoot(t)
	testutil.Need(t, "rpm")
	pkgs, m := manifest(t)
	root := t.TempDir()
	run(t, "", nil, "rpm", "--root", root, "--dbpath", "/var/lib/rpm", "--initdb")
	for d := range packages.SystemDirs { // what the filesystem package would have made
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	list := func() []string {
		var out []string
		filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			rel, _ := filepath.Rel(root, p)
			if err == nil && !strings.HasPrefix(rel, "var/lib/rpm") {
				out = append(out, rel)
			}
			return nil
		})
		return out
	}
	before := list()
	var paths, names []string
	for _, a := range m.Find("rpm", "", "amd64") {
		paths = append(paths, filepath.Join(pkgs, a.Path))
		names = append(names, a.Package)
	}
	// --nodeps: the empty root has no glibc for faas-runtime-sharedlib.
	run(t, "", nil, "rpm", append([]string{"--root", root, "--dbpath", "/var/lib/rpm", "--nosignature", "--nodeps", "-i"}, paths...)...)
	if out := run(t, "", nil, "rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-qf", "/usr/include/faas"); !strings.HasPrefix(out, "faas-runtime-sharedlib-") {
		t.Errorf("/usr/include/faas is owned by %q, want faas-runtime-sharedlib", out)
	}
	run(t, "", nil, "rpm", append([]string{"--root", root, "--dbpath", "/var/lib/rpm", "--nodeps", "-e"}, names...)...)
	after := list()
	if strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Errorf("rpm -e left the root changed:\nbefore: %v\nafter:  %v", before, after)
	}
}

// apkTool finds microdnf or apk-tools 2 or 3 (make apk-tools).
func apkTool(t *testing.T, name string) string { return repotest.PMTool(t, name) }

// The real apk-tools 2.14 (Alpine 3.18-3.22) and 3.0 (Alpine 3.23+) verify
// the SHA-256 signatures of the packages and APKINDEX and install from the
// served repository; with another key they refuse. .PKGINFO carries the
// fields abuild writes, so the index has t: (build date) and o: (origin).
func TestApkTools(t *testing.T) {
	testutil.NeedRoot(t)
	base := repotest.ServeRepo(t)
	dir := repotest.Dir(t)
	pkgs, m := manifest(t)
	key := readFile(t, filepath.Join(dir, repo.AlpineDir, signing.DefaultAPKKeyName))
	otherPub, _ := otherKeys(t).PublicAPK()
	for _, tool := range []string{"apk2", "apk3"} {
		t.Run(tool, func(t *testing.T) {
			bin := apkTool(t, tool)
			newRoot := func(pub []byte) string {
				root := t.TempDir()
				os.MkdirAll(filepath.Join(root, "etc/apk/keys"), 0o755)
				os.WriteFile(filepath.Join(root, "etc/apk/keys", signing.DefaultAPKKeyName), pub, 0o644)
				return root
			}
			root := newRoot(key)
			for _, a := range m.Find("apk", "", "") {
				out := run(t, "", nil, bin, "--root", root, "verify", filepath.Join(pkgs, a.Path))
				if !strings.Contains(out, "OK") {
					t.Errorf("%s verify %s: %s", tool, a.Path, out)
				}
			}
			args := []string{"--root", root, "--initdb", "--arch", "x86_64", "--no-cache", "--no-scripts",
				"-X", repo.ApkRepository(base), "add", "faas-runtime", "runtime-init"}
			out := run(t, "", nil, bin, args...)
			checkBinary(t, filepath.Join(root, "usr/bin/faas-runtime"), "amd64", m.Version)
			installed := string(readFile(t, filepath.Join(root, "lib/apk/db/installed")))
			for _, want := range []string{"V:" + m.FormatVersions["apk"], "o:faas-runtime", fmt.Sprintf("t:%d", m.SourceDateEpoch), "c:" + m.Commit} {
				if !strings.Contains(installed, "\n"+want+"\n") {
					t.Errorf("%s: installed db lacks %s:\n%s\n%s", tool, want, installed, out)
				}
			}
			wrong := newRoot(otherPub)
			args[1] = wrong
			if out, err := runErr("", nil, bin, args...); err == nil {
				t.Errorf("%s installed from a repository signed by another key:\n%s", tool, out)
			}
		})
	}
	// The index lists the abuild fields too.
	idx := run(t, "", nil, "tar", "-xzOf", filepath.Join(dir, repo.AlpineDir, "x86_64", "APKINDEX.tar.gz"), "APKINDEX")
	for _, want := range []string{"o:faas-runtime", fmt.Sprintf("t:%d", m.SourceDateEpoch)} {
		if !strings.Contains(idx, "\n"+want+"\n") {
			t.Errorf("APKINDEX lacks %s:\n%s", want, idx)
		}
	}
}

// Every .deb has /usr/share/doc/NAME/changelog.Debian.gz naming its version,
// and faas-runtime-sharedlib (dynamically linked) is PIE with RELRO, so
// lintian needs neither a no-changelog nor a hardening filter.
func TestDebChangelogHardening(t *testing.T) {
	testutil.Need(t, "dpkg-deb", "gzip")
	pkgs, m := manifest(t)
	for _, a := range m.Find("deb", "", "") {
		dir := t.TempDir()
		run(t, "", nil, "dpkg-deb", "-x", filepath.Join(pkgs, a.Path), dir)
		log := run(t, "", nil, "gzip", "-dc", filepath.Join(dir, "usr/share/doc", a.Package, "changelog.Debian.gz"))
		if want := fmt.Sprintf("%s (%s) %s; urgency=medium\n", a.Package, m.FormatVersions["deb"], packages.DebDistribution); !strings.HasPrefix(log, want) {
			t.Errorf("%s: changelog.Debian.gz starts %q, want %q", a.Path, strings.SplitN(log, "\n", 2)[0], want)
		}
		if a.Package != "faas-runtime-sharedlib" {
			continue
		}
		f, err := elf.Open(filepath.Join(dir, "usr/bin/faas-runtime-sharedlib"))
		if err != nil {
			t.Fatal(err)
		}
		relro := false
		for _, p := range f.Progs {
			relro = relro || p.Type == elf.PT_GNU_RELRO
		}
		if f.Type != elf.ET_DYN || !relro {
			t.Errorf("%s: faas-runtime-sharedlib is %v, RELRO %v; want a PIE (ET_DYN) with PT_GNU_RELRO", a.Path, f.Type, relro)
		}
		f.Close()
	}
	lint := string(readFile(t, filepath.Join(testutil.RepoRoot(t), "packaging/lint/lintian-suppress")))
	for _, tag := range []string{"no-changelog", "hardening-no-pie", "hardening-no-relro"} {
		if strings.Contains(lint, "\n"+tag+"\n") {
			t.Errorf("packaging/lint/lintian-suppress still suppresses %s", tag)
		}
	}
}
