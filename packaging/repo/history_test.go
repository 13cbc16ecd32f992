package repo_test

// A repository with history: 0.1.0 published, then 0.2.0 added with
// --from. The earlier release's files stay byte for byte, the metadata
// lists both, and the same history builds to the same bytes.

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/repo"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
)

func TestHistoryKeepsEarlierRelease(t *testing.T) {
	h := repotest.HistoryRepo(t)
	m, err := repo.ReadManifest(h.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != "0.2.0" || len(m.Releases) != 2 || m.Releases[0].Version != "0.1.0" || m.Releases[1].Version != "0.2.0" {
		t.Fatalf("REPO.json: version %s, releases %+v; want 0.2.0 and [0.1.0 0.2.0]", m.Version, m.Releases)
	}
	first, err := repo.ReadManifest(h.First)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(first.Releases[0].Files, "\n") != strings.Join(m.Releases[0].Files, "\n") {
		t.Errorf("0.1.0's files changed:\n%v\n%v", first.Releases[0].Files, m.Releases[0].Files)
	}
	kinds := map[string]int{}
	for _, f := range m.Releases[0].Files {
		kinds[strings.SplitN(f, "/", 2)[0]]++
		if !bytes.Equal(readFile(t, filepath.Join(h.First, f)), readFile(t, filepath.Join(h.Dir, f))) {
			t.Errorf("%s differs from the one published with 0.1.0", f)
		}
	}
	for _, k := range []string{repo.RPMDir, repo.DebDir, repo.AlpineDir, repo.ArchDir, repo.MSYS2Dir} {
		if kinds[k] == 0 {
			t.Errorf("0.1.0 lists no files under %s/: %v", k, m.Releases[0].Files)
		}
	}
	// Metadata listing every version.
	testutil.Need(t, "tar", "zcat")
	packages := string(readFile(t, filepath.Join(h.Dir, repo.DebDir, "dists", repo.DebSuite, repo.DebComponent, "binary-amd64", "Packages")))
	apkindex := run(t, "", nil, "tar", "-xzOf", filepath.Join(h.Dir, repo.AlpineDir, "x86_64", "APKINDEX.tar.gz"), "APKINDEX")
	primary := run(t, "", nil, "sh", "-c", "zcat "+filepath.Join(h.Dir, repo.RPMDir, "repodata")+"/*-primary.xml.gz")
	for _, c := range []struct{ name, text, want string }{
		{"Packages", packages, "Version: 0.1.0-1\n"}, {"Packages", packages, "Version: 0.2.0-1\n"},
		{"APKINDEX", apkindex, "\nV:" + h.Results["0.1.0"].FormatVersions["apk"] + "\n"},
		{"APKINDEX", apkindex, "\nV:" + h.Results["0.2.0"].FormatVersions["apk"] + "\n"},
		{"primary.xml", primary, `ver="0.1.0"`}, {"primary.xml", primary, `ver="0.2.0"`},
	} {
		if !strings.Contains(c.text, c.want) {
			t.Errorf("%s lacks %q", c.name, c.want)
		}
	}
	// pacman databases hold the newest; the older package and its signature stay beside it.
	for _, dir := range []string{filepath.Join(repo.ArchDir, "x86_64"), filepath.Join(repo.MSYS2Dir, "ucrt64")} {
		db := run(t, "", nil, "tar", "-tzf", filepath.Join(h.Dir, dir, repo.PacmanRepo+".db"))
		if !strings.Contains(db, "-0.2.0-1/") || strings.Contains(db, "-0.1.0-1/") {
			t.Errorf("%s database should list 0.2.0 only:\n%s", dir, db)
		}
		old, _ := filepath.Glob(filepath.Join(h.Dir, dir, "*-0.1.0-1-*.pkg.tar.zst.sig"))
		if len(old) == 0 {
			t.Errorf("%s: 0.1.0's signed packages are gone", dir)
		}
	}
	formula := string(readFile(t, filepath.Join(h.Dir, repo.HomebrewDir, "Formula", "runtime-init.rb")))
	if !strings.Contains(formula, "0.2.0") {
		t.Errorf("the Homebrew formula is not 0.2.0's")
	}
}

// Two builds of the same history (0.1.0, then 0.2.0 added) from fresh
// copies of the packages give byte-identical trees.
func TestHistoryReproducible(t *testing.T) {
	h := repotest.HistoryRepo(t)
	keys := repoKeys(t)
	tmp := t.TempDir()
	for _, name := range []string{"a", "b"} {
		from := ""
		for _, r := range repotest.HistoryReleases {
			p := filepath.Join(tmp, name+"-packages-"+r.Version)
			copyTree(t, h.Packages[r.Version], p)
			out := filepath.Join(tmp, name+"-"+r.Version)
			if err := repo.Build(context.Background(), repo.Options{Packages: p, Out: out, Keys: keys, From: from}); err != nil {
				t.Fatal(err)
			}
			from = out
		}
	}
	a, b := filepath.Join(tmp, "a-0.2.0"), filepath.Join(tmp, "b-0.2.0")
	n, differ := 0, []string{}
	filepath.Walk(a, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n++
			rel, _ := filepath.Rel(a, p)
			y, err := os.ReadFile(filepath.Join(b, rel))
			if err != nil || !bytes.Equal(readFile(t, p), y) {
				differ = append(differ, rel)
			}
		}
		return nil
	})
	if n < 30 || len(differ) > 0 {
		t.Errorf("%d of %d files differ between two builds of the same history:\n%s", len(differ), n, strings.Join(differ, "\n"))
	}
	// And it is the tree HistoryRepo made.
	for _, rel := range []string{repo.ManifestName, "rpm/repodata/repomd.xml", "deb/dists/stable/InRelease", "alpine/x86_64/APKINDEX.tar.gz"} {
		if !bytes.Equal(readFile(t, filepath.Join(a, rel)), readFile(t, filepath.Join(h.Dir, rel))) {
			t.Errorf("%s differs from dist/history/repo", rel)
		}
	}
}

// treeDiff lists the files that differ between two trees (either side).
func treeDiff(t *testing.T, a, b string) (n int, differ []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, dir := range []string{a, b} {
		filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				rel, _ := filepath.Rel(dir, p)
				seen[rel] = true
			}
			return nil
		})
	}
	for rel := range seen {
		x, errX := os.ReadFile(filepath.Join(a, rel))
		y, errY := os.ReadFile(filepath.Join(b, rel))
		if errX != nil || errY != nil || !bytes.Equal(x, y) {
			differ = append(differ, rel)
		}
	}
	return len(seen), differ
}

// --from an http:// URL gives the tree --from the directory gives; --keep 1
// drops 0.1.0; a backport (0.1.0 published after 0.2.0) leaves the tap and
// pacman databases at 0.2.0; publishing 0.1.0 again with other bytes is
// refused without --force.
func TestHistoryFromURLKeepBackport(t *testing.T) {
	h := repotest.HistoryRepo(t)
	keys := repoKeys(t)
	ctx := context.Background()
	tmp := t.TempDir()

	viaURL := filepath.Join(tmp, "url")
	if err := repo.Build(ctx, repo.Options{Packages: h.Packages[v2], Out: viaURL, Keys: keys, From: repotest.Serve(t, h.First)}); err != nil {
		t.Fatal(err)
	}
	if n, differ := treeDiff(t, viaURL, h.Dir); len(differ) > 0 {
		t.Errorf("%d of %d files differ between --from URL and --from DIR:\n%s", len(differ), n, strings.Join(differ, "\n"))
	}

	kept := filepath.Join(tmp, "keep1")
	if err := repo.Build(ctx, repo.Options{Packages: h.Packages[v2], Out: kept, Keys: keys, From: h.Dir, Keep: 1}); err != nil {
		t.Fatal(err)
	}
	m, err := repo.ReadManifest(kept)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Releases) != 1 || m.Releases[0].Version != v2 {
		t.Errorf("--keep 1: releases %+v, want 0.2.0 only", m.Releases)
	}
	filepath.Walk(kept, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.Contains(filepath.Base(p), "-"+v1) {
			t.Errorf("--keep 1 left %s", p)
		}
		return nil
	})
	if pk := string(readFile(t, filepath.Join(kept, repo.DebDir, "dists", repo.DebSuite, repo.DebComponent, "binary-amd64", "Packages"))); strings.Contains(pk, "Version: "+v1) {
		t.Errorf("--keep 1: Packages still lists %s", v1)
	}

	// A backport: 0.1.0 published onto the repository holding 0.2.0 only.
	back := filepath.Join(tmp, "backport")
	if err := repo.Build(ctx, repo.Options{Packages: h.Packages[v1], Out: back, Keys: keys, From: kept}); err != nil {
		t.Fatal(err)
	}
	if m, _ := repo.ReadManifest(back); m == nil || m.Version != v2 || len(m.Releases) != 2 || m.Releases[0].Version != v1 {
		t.Errorf("backport: REPO.json %+v, want version 0.2.0 and releases [0.1.0 0.2.0]", m)
	}
	for _, f := range []string{filepath.Join(repo.HomebrewDir, "Formula", "runtime-init.rb"), filepath.Join(repo.ArchDir, "x86_64", repo.PacmanRepo+".db")} {
		if !bytes.Equal(readFile(t, filepath.Join(back, f)), readFile(t, filepath.Join(h.Dir, f))) {
			t.Errorf("backport: %s is not 0.2.0's", f)
		}
	}

	// 0.1.0 again, but the published copy differs: refused, unless --force.
	tampered := filepath.Join(tmp, "tampered")
	copyTree(t, h.First, tampered)
	first, _ := repo.ReadManifest(h.First)
	victim := ""
	for _, f := range first.Releases[0].Files {
		if strings.HasSuffix(f, ".deb") {
			victim = filepath.Join(tampered, f)
			break
		}
	}
	os.WriteFile(victim, append(readFile(t, victim), 0), 0o644)
	err = repo.Build(ctx, repo.Options{Packages: h.Packages[v1], Out: filepath.Join(tmp, "again"), Keys: keys, From: tampered})
	if err == nil || !strings.Contains(err.Error(), "already published") {
		t.Errorf("republishing 0.1.0 with other bytes: %v, want a refusal", err)
	}
	if err := repo.Build(ctx, repo.Options{Packages: h.Packages[v1], Out: filepath.Join(tmp, "again"), Keys: keys, From: tampered, Force: true}); err != nil {
		t.Errorf("republishing 0.1.0 with --force: %v", err)
	}
	// The same bytes again are no change at all.
	same := filepath.Join(tmp, "same")
	if err := repo.Build(ctx, repo.Options{Packages: h.Packages[v2], Out: same, Keys: keys, From: h.Dir}); err != nil {
		t.Fatal(err)
	}
	if n, differ := treeDiff(t, same, h.Dir); len(differ) > 0 {
		t.Errorf("republishing 0.2.0 unchanged changed %d of %d files:\n%s", len(differ), n, strings.Join(differ, "\n"))
	}
}
