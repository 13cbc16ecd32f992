package repotest

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/packages"
	"github.com/faas-runtime/faas-runtime/packaging/repo"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// The two releases of the history repository, with fixed times so that
// rebuilding the history gives the same bytes.
var HistoryReleases = []struct {
	Version         string
	SourceDateEpoch int64
}{{"0.1.0", 1700000000}, {"0.2.0", 1710000000}}

// History is a repository with two releases built from this source tree:
// 0.1.0, then 0.2.0 added with --from (amd64 only, to keep it quick).
type History struct {
	Dir      string                      // the repository holding both releases
	First    string                      // the repository as published with 0.1.0 only
	Packages map[string]string           // version -> its dist/packages directory
	Results  map[string]*packages.Result // version -> its manifest
}

// HistoryRepo builds (once per source tree, under dist/history) and returns
// the two-release repository.
func HistoryRepo(t testing.TB) *History {
	t.Helper()
	testutil.Need(t, "createrepo_c", "apt-ftparchive", "repo-add", "git")
	root := testutil.RepoRoot(t)
	dist := Dist(t)
	base := filepath.Join(dist, "history")
	if err := os.MkdirAll(base, 0o755); err != nil {
		t.Fatal(err)
	}
	unlock, err := testutil.FileLock(filepath.Join(base, ".lock"))
	if err != nil {
		t.Fatalf("locking dist/history: %v", err)
	}
	defer unlock()
	fp, err := packages.Fingerprint(root)
	if err != nil {
		t.Fatal(err)
	}
	h := &History{Dir: filepath.Join(base, "repo"), First: filepath.Join(base, "repo-0.1.0"),
		Packages: map[string]string{}, Results: map[string]*packages.Result{}}
	for _, r := range HistoryReleases {
		h.Packages[r.Version] = filepath.Join(base, "packages-"+r.Version)
	}
	if m, err := repo.ReadManifest(h.Dir); err == nil && m.Fingerprint == fp {
		h.readResults(t)
		return h
	}
	t.Logf("repotest: building releases 0.1.0 and 0.2.0 into dist/history (a minute or two)")
	keys, err := signing.Load(os.Getenv, filepath.Join(dist, "keys"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	from := ""
	for _, r := range HistoryReleases {
		pk := h.Packages[r.Version]
		if _, err := packages.Run(context.Background(), packages.Options{Root: root, Out: pk, Keys: keys,
			Version: r.Version, SourceDateEpoch: r.SourceDateEpoch, Arches: []string{"amd64"}, Force: true}); err != nil {
			t.Fatalf("building %s: %v", r.Version, err)
		}
		out := h.Dir
		if from == "" {
			out = h.First
		}
		if err := repo.Build(context.Background(), repo.Options{Packages: pk, Out: out, Keys: keys, From: from, Force: true}); err != nil {
			t.Fatalf("publishing %s: %v", r.Version, err)
		}
		from = out
	}
	h.readResults(t)
	return h
}

func (h *History) readResults(t testing.TB) {
	for v, dir := range h.Packages {
		m, err := packages.ReadManifest(dir)
		if err != nil {
			t.Fatal(err)
		}
		h.Results[v] = m
	}
}
