// Package rehearsal runs the whole release pipeline twice, 0.1.0 and then
// 0.2.0, with `faas-pkg release` against local stand-ins of each host, and
// installs what it published as users would:
//
//   - the Pages branch: a bare git repository; "deployed" after each push
//     as GitHub Pages does (the branch's tree, served over HTTP on 127.0.0.1);
//   - the Homebrew tap: a bare git repository, cloned as brew tap would;
//   - object storage: a real S3 server (SeaweedFS, packaging/publish/s3test);
//   - the GitHub release: a directory per release.
//
// The release keys are made by the test, and a temporary directory holding
// their public halves stands in for packaging/keys/release, which has no
// keys committed yet.
package rehearsal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/packages"
	"github.com/faas-runtime/faas-runtime/packaging/publish/s3test"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
	"github.com/faas-runtime/faas-runtime/test/e2e/containers"
)

// faasPkg is the release command's package.
const faasPkg = "./cmd/faas-pkg"

func TestRehearsal(t *testing.T) {
	testutil.NeedRoot(t)
	testutil.Need(t, "git", "createrepo_c", "apt-ftparchive", "repo-add", "gpg", "weed")
	root := testutil.RepoRoot(t)
	work := t.TempDir()
	bin := testutil.Binary(t, faasPkg)

	// The release keys, loaded from files as CI loads its secrets.
	keyDir := filepath.Join(work, "secret")
	if _, err := signing.Load(func(string) string { return "" }, keyDir, io.Discard); err != nil {
		t.Fatal(err)
	}
	env := []string{signing.EnvPGPKey + "=" + filepath.Join(keyDir, signing.ThrowawayPGP), signing.EnvAPKKey + "=" + filepath.Join(keyDir, signing.ThrowawayAPK)}
	keys, err := signing.Load(func(k string) string {
		for _, kv := range env {
			if strings.HasPrefix(kv, k+"=") {
				return strings.TrimPrefix(kv, k+"=")
			}
		}
		return ""
	}, "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	committed := filepath.Join(work, "keys-release")
	os.MkdirAll(committed, 0o755)
	pgp, _ := keys.PublicPGP(true)
	apk, _ := keys.PublicAPK()
	os.WriteFile(filepath.Join(committed, "RPM-GPG-KEY-faas-runtime"), pgp, 0o644)
	os.WriteFile(filepath.Join(committed, keys.APKName), apk, 0o644)

	// The hosts.
	pagesGit, tapGit := filepath.Join(work, "pages.git"), filepath.Join(work, "tap.git")
	for _, d := range []string{pagesGit, tapGit} {
		git(t, "", "init", "--quiet", "--bare", d)
	}
	www := filepath.Join(work, "www")
	pagesURL := repotest.Serve(t, www)
	srv := s3test.Start(t)
	srv.CreateBucket(t, "faas")
	s3URL := srv.URL("faas", "repo")

	release := func(tag string, extra ...string) string {
		t.Helper()
		assets := filepath.Join(work, "github-release", tag)
		args := append([]string{"release", "--tag", tag, "--pages", "file://" + pagesGit, "--tap", "file://" + tapGit,
			"--s3", "s3://faas/repo", "--assets", assets, "--release-keys", committed, "--arches", "amd64",
			"--base-url", pagesURL, "--dist", filepath.Join(work, "dist-"+tag)}, extra...)
		cmd := exec.Command(bin, args...)
		cmd.Dir = root
		cmd.Env = append(append(os.Environ(), env...), srv.Env()...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("faas-pkg release %s: %v\n%s", tag, err, out)
		}
		// GitHub Pages deploys the branch's tree, switching the site at
		// once: here a symlink renamed over www.
		site := filepath.Join(work, "site-"+tag)
		os.MkdirAll(site, 0o755)
		archive := exec.Command("sh", "-c", "git --git-dir '"+pagesGit+"' archive gh-pages | tar -x -C '"+site+"'")
		if out, err := archive.CombinedOutput(); err != nil {
			t.Fatalf("deploying the Pages branch: %v\n%s", err, out)
		}
		if err := os.Symlink(site, www+".new"); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(www+".new", www); err != nil {
			t.Fatal(err)
		}
		return assets
	}

	// Refused before anything is built: no keys, and keys not committed.
	cmd := exec.Command(bin, "release", "--tag", "v0.1.0", "--first", "--pages", "file://"+pagesGit, "--release-keys", t.TempDir())
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "no release keys are committed") {
		t.Fatalf("release with uncommitted keys: %v\n%s", err, out)
	}

	var loops map[string]*repotest.Loop
	for _, step := range []struct {
		tag, version string
		extra        []string
	}{
		{"v0.1.0", "0.1.0", []string{"--first"}},
		{"v0.2.0", "0.2.0", []string{"--from", pagesURL, "--keep", "2"}},
	} {
		if step.version == "0.2.0" {
			// The clients install from both targets in a loop while 0.2.0
			// is built and published (keys from 0.1.0's tree: the same).
			tree := filepath.Join(work, "dist-v0.1.0", "repo")
			loops = map[string]*repotest.Loop{
				"pages": repotest.StartLoop(repotest.Clients(t, tree), pagesURL, 2*time.Second, "0.1.0", "0.2.0"),
				"s3":    repotest.StartLoop(repotest.Clients(t, tree), s3URL, 2*time.Second, "0.1.0", "0.2.0"),
			}
		}
		assets := release(step.tag, step.extra...)
		t.Logf("%s released", step.tag)
		for _, target := range []string{"pages", "s3"} {
			if l := loops[target]; l != nil {
				l.Published()
				l.Finish(t, target, 1)
			}
		}
		checkAssets(t, assets, filepath.Join(committed, "RPM-GPG-KEY-faas-runtime"))
		formula := checkTap(t, tapGit, step.version)
		if step.version == "0.2.0" {
			// Once, for the release users get: brew install from the tap.
			runFormula(t, formula, assets, step.version)
			t.Run("as a user", func(t *testing.T) {
				asUser(t, pagesURL, step.version, []string{filepath.Join(committed, "RPM-GPG-KEY-faas-runtime"), filepath.Join(committed, keys.APKName)})
			})
		}
		tree := filepath.Join(work, "dist-"+step.tag, "repo")
		for _, c := range repotest.Clients(t, tree) {
			for name, base := range map[string]string{"pages": pagesURL, "s3": s3URL} {
				v, out, err := c.Install(context.Background(), base)
				if err != nil || v != step.version {
					t.Errorf("%s from %s after %s: installed %q, err %v\n%s", c.Name, name, step.tag, v, err, out)
					continue
				}
				t.Logf("%s from %s: %s", c.Name, name, v)
			}
		}
	}
}

// checkAssets: SHA256SUMS lists every asset with its hash, its signature
// verifies with the committed key, and the PKGBUILD is among them.
func checkAssets(t *testing.T, dir, pubKey string) {
	t.Helper()
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		sum, name, _ := strings.Cut(line, "  ")
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("SHA256SUMS lists %s: %v", name, err)
			continue
		}
		if h := sha256.Sum256(data); hex.EncodeToString(h[:]) != sum {
			t.Errorf("%s: hash differs from SHA256SUMS", name)
		}
		listed[name] = true
	}
	for _, want := range []string{"PKGBUILD"} {
		if !listed[want] {
			t.Errorf("the release assets lack %s", want)
		}
	}
	home := t.TempDir()
	for _, args := range [][]string{{"--import", pubKey}, {"--verify", filepath.Join(dir, "SHA256SUMS.asc"), filepath.Join(dir, "SHA256SUMS")}} {
		if out, err := exec.Command("gpg", append([]string{"--homedir", home, "--batch"}, args...)...).CombinedOutput(); err != nil {
			t.Errorf("gpg %v: %v\n%s", args, err, out)
		}
	}
}

// checkTap clones the tap as brew tap does, finds the formula of version
// and returns runtime-init's.
func checkTap(t *testing.T, tapGit, version string) string {
	t.Helper()
	clone := filepath.Join(t.TempDir(), "tap")
	git(t, "", "clone", "--quiet", "file://"+tapGit, clone)
	formulae, _ := filepath.Glob(filepath.Join(clone, "Formula", "*.rb"))
	if len(formulae) == 0 {
		t.Fatalf("the tap has no Formula/*.rb")
	}
	for _, f := range formulae {
		if b, _ := os.ReadFile(f); !strings.Contains(string(b), version) {
			t.Errorf("%s does not name version %s", f, version)
		}
	}
	return filepath.Join(clone, "Formula", packages.FormulaName+".rb")
}

// runFormula does what brew install does with the tap's formula: fetches
// its url (here: the same-named file among the GitHub release's assets),
// checks its sha256, unpacks it, and runs the formula's install and test
// blocks through the formula DSL stub packaging/repo/testdata/brew_stub.rb
// (Homebrew itself is not installed here).
func runFormula(t *testing.T, formula, assets, version string) {
	t.Helper()
	testutil.Need(t, "ruby", "tar", "go")
	text := string(containers.ReadFile(t, formula))
	url := regexp.MustCompile(`(?m)^\s*url "([^"]+)"`).FindStringSubmatch(text)
	want := regexp.MustCompile(`(?m)^\s*sha256 "([0-9a-f]{64})"`).FindStringSubmatch(text)
	if url == nil || want == nil {
		t.Fatalf("%s has no url or sha256:\n%s", formula, text)
	}
	if url[1] != packages.SourceURL(packages.DefaultDownloadURL, version) {
		t.Errorf("the formula's url is %s, not the release's source archive", url[1])
	}
	archive := filepath.Join(assets, path.Base(url[1]))
	data := containers.ReadFile(t, archive)
	if h := sha256.Sum256(data); hex.EncodeToString(h[:]) != want[1] {
		t.Fatalf("%s: sha256 differs from the formula's %s", archive, want[1])
	}
	work := t.TempDir()
	containers.Run(t, "tar", "-xzf", archive, "-C", work)
	srcs, _ := filepath.Glob(filepath.Join(work, "*"))
	if len(srcs) != 1 {
		t.Fatalf("the source archive holds %v, want one top directory", srcs)
	}
	prefix, testpath := filepath.Join(work, "prefix"), filepath.Join(work, "testpath")
	os.MkdirAll(testpath, 0o755)
	stub := filepath.Join(testutil.RepoRoot(t), "packaging", "repo", "testdata", "brew_stub.rb")
	cmd := exec.Command("ruby", stub, formula, srcs[0], prefix, testpath, version)
	cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the tap's formula, install and test blocks: %v\n%s", err, out)
	}
	got, err := exec.Command(filepath.Join(prefix, "bin", "runtime-init"), "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(got), version) {
		t.Errorf("the formula's runtime-init --version: %v\n%s", err, got)
	}
	t.Logf("the tap's formula built and tested runtime-init %s: %s", version, strings.TrimSpace(string(got)))
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}
