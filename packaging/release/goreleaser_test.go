package release_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/packages"
)

type grConfig struct {
	Nfpms  []any `yaml:"nfpms"`
	Casks  []any `yaml:"homebrew_casks"`
	Brews  []any `yaml:"brews"`
	Before struct {
		Hooks []string `yaml:"hooks"`
	} `yaml:"before"`
	Release struct {
		ExtraFiles []struct {
			Glob string `yaml:"glob"`
		} `yaml:"extra_files"`
	} `yaml:"release"`
	Snapshot struct {
		VersionTemplate string `yaml:"version_template"`
	} `yaml:"snapshot"`
}

func loadConfig(t *testing.T, root string) grConfig {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c grConfig
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// One set of packages: GoReleaser builds none of its own (an unsigned rpm,
// an apk apk refuses, a .deb versioned 0.1.0 where the repository has
// 0.1.0-1, same file names with other bytes); the release publishes
// faas-pkg's, built at GoReleaser's version.
func TestReleasePublishesFaasPkgPackages(t *testing.T) {
	c := loadConfig(t, testutil.RepoRoot(t))
	if len(c.Nfpms) != 0 {
		t.Errorf(".goreleaser.yaml builds %d nfpms packages of its own; the release must publish faas-pkg's", len(c.Nfpms))
	}
	// Homebrew: the tap's formula comes from faas-pkg (faas-pkg release --tap), built
	// from source; GoReleaser publishes neither a cask nor a formula.
	if len(c.Casks) != 0 || len(c.Brews) != 0 {
		t.Errorf(".goreleaser.yaml publishes %d casks and %d formulae; the tap's only formula is faas-pkg's runtime-init", len(c.Casks), len(c.Brews))
	}
	hooks := strings.Join(c.Before.Hooks, "\n")
	for _, want := range []string{"faas-pkg packages --version {{ .Version }}", "faas-pkg release-assets dist/release-assets"} {
		if !strings.Contains(hooks, want) {
			t.Errorf("before.hooks lack %q:\n%s", want, hooks)
		}
	}
	if len(c.Release.ExtraFiles) != 1 || c.Release.ExtraFiles[0].Glob != "./dist/release-assets/*" {
		t.Errorf("release.extra_files = %+v, want the one glob ./dist/release-assets/*", c.Release.ExtraFiles)
	}
	if !strings.Contains(c.Snapshot.VersionTemplate, "FAAS_VERSION") {
		t.Errorf("snapshot.version_template %q does not take faas-pkg's version (FAAS_VERSION)", c.Snapshot.VersionTemplate)
	}
}

// Between tags (v1.2.3 and one commit), make build, faas-pkg and a
// GoReleaser snapshot agree on the version: faas-runtime --version,
// runtime-init version, the packages (MANIFEST and the packaged binary) and
// the archives. The release assets are faas-pkg's packages, byte for byte,
// and GoReleaser makes no package of its own. It runs in a copy of the tree
// with its own git repository (the snapshot needs a remote, never contacted).
func TestVersionsAgreeBetweenTags(t *testing.T) {
	testutil.Slow(t, "a whole goreleaser release --snapshot")
	testutil.Need(t, "git", "make", "tar")
	gr := filepath.Join(goPath(t), "bin", "goreleaser")
	if _, err := os.Stat(gr); err != nil {
		testutil.Unavailable(t, "goreleaser v2.14.3 is not installed: run `make goreleaser-install` (make test does)")
	}
	root := testutil.RepoRoot(t)
	work := filepath.Join(t.TempDir(), "src")
	copyTree(t, root, work)
	git := func(args ...string) {
		runIn(t, work, "git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.invalid"}, args...)...)
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "release")
	git("tag", "v1.2.3")
	os.WriteFile(filepath.Join(work, "CHANGES.txt"), []byte("after the tag\n"), 0o644)
	git("add", "-A")
	git("commit", "-q", "-m", "after")
	git("remote", "add", "origin", "https://github.com/faas-runtime/faas-runtime.git")
	const want = "1.2.4-pre.1"

	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VERSION=") && !strings.HasPrefix(kv, "GOFLAGS=") {
			env = append(env, kv)
		}
	}
	env = append(env, "GOFLAGS=-buildvcs=false")
	// The sboms: section runs syft, installed in GOPATH/bin (make supplychain-tools).
	env = append(env, "PATH="+filepath.Join(goPath(t), "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	runEnv := func(env []string, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = work, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if v := strings.TrimSpace(runEnv(env, "go", "run", "./cmd/faas-pkg", "version")); v != want {
		t.Fatalf("faas-pkg version = %q, want %s", v, want)
	}
	runEnv(env, "make", "build")
	for _, c := range [][]string{{"bin/faas-runtime", "--version"}, {"bin/runtime-init", "version"}} {
		if out := runEnv(env, filepath.Join(work, c[0]), c[1]); !strings.Contains(out, want) {
			t.Errorf("make build: %s %s = %q, want %s", c[0], c[1], out, want)
		}
	}

	runIn(t, work, gr, "check")
	grEnv := append(env, "FAAS_VERSION="+want)
	runEnv(grEnv, gr, "release", "--snapshot", "--clean")
	dist := filepath.Join(work, "dist", "goreleaser")
	m, err := packages.ReadManifest(filepath.Join(work, "dist", "packages"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != want {
		t.Errorf("packages are version %s, want %s", m.Version, want)
	}
	for _, f := range []string{"faas-runtime_" + want + "_linux_amd64.tar.gz", "faas-runtime-" + want + ".tar.gz"} {
		if _, err := os.Stat(filepath.Join(dist, f)); err != nil {
			t.Errorf("snapshot lacks %s", f)
		}
	}
	// The archive's binary prints the same version.
	x := t.TempDir()
	runIn(t, x, "tar", "-xzf", filepath.Join(dist, "faas-runtime_"+want+"_linux_amd64.tar.gz"))
	if out := runIn(t, x, filepath.Join(x, "faas-runtime"), "--version"); !strings.Contains(out, want) {
		t.Errorf("archive faas-runtime --version = %q, want %s", out, want)
	}
	// No package of GoReleaser's own; every faas-pkg package is a release asset, unchanged.
	entries, _ := os.ReadDir(dist)
	for _, e := range entries {
		for _, ext := range []string{".rpm", ".deb", ".apk", ".pkg.tar.zst"} {
			if strings.HasSuffix(e.Name(), ext) {
				t.Errorf("GoReleaser built a package of its own: %s", e.Name())
			}
		}
	}
	assets := filepath.Join(work, "dist", "release-assets")
	n := 0
	for _, a := range m.Files {
		name := packages.ReleaseAssetName(a)
		if name == "" {
			continue
		}
		n++
		got, err := os.ReadFile(filepath.Join(assets, name))
		if err != nil {
			t.Errorf("release asset %s: %v", name, err)
			continue
		}
		if sum := sha256.Sum256(got); hex.EncodeToString(sum[:]) != a.SHA256 {
			t.Errorf("release asset %s differs from faas-pkg's %s", name, a.Path)
		}
	}
	// Each package comes with its SBOM (<asset>.spdx.json).
	if all, _ := os.ReadDir(assets); len(all) != 2*n || n == 0 {
		t.Errorf("%d release assets for %d packages and their SBOMs", len(all), n)
	}
	checkSnapshotSupplyChain(t, work, dist, want)
	// Homebrew gets the formula (faas-pkg release --tap), no cask.
	if casks, _ := filepath.Glob(filepath.Join(dist, "homebrew", "Casks", "*.rb")); len(casks) != 0 {
		t.Errorf("GoReleaser made casks %v; the tap has only the runtime-init formula", casks)
	}
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func goPath(t *testing.T) string {
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func runIn(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// copyTree copies the files git would (tracked and untracked, not ignored).
func copyTree(t *testing.T, root, dst string) {
	t.Helper()
	out := runIn(t, root, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	for _, name := range strings.Split(strings.TrimRight(out, "\x00"), "\x00") {
		src := filepath.Join(root, name)
		st, err := os.Lstat(src)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(filepath.Join(dst, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dst, name), b, st.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
}
