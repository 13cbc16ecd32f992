// Package repotest gives other tests faas-runtime's package repository:
// built once per source tree (shared by parallel test binaries through a
// file lock) and served over HTTP on 127.0.0.1 for the test's lifetime.
//
//	base := repotest.ServeRepo(t)          // e.g. http://127.0.0.1:41234
//	repo.YumRepoFile(base)                 // /etc/yum.repos.d/faas-runtime.repo
//	repo.AptSourcesLine(base)              // apt source (key: base+"/deb/faas-runtime-archive-keyring.gpg")
//	repo.ApkRepository(base)               // /etc/apk/repositories line (key: base+"/alpine/faas-runtime.rsa.pub")
package repotest

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/pkgfile"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/packages"
	"github.com/faas-runtime/faas-runtime/packaging/repo"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// Dist is the build output directory (dist/ at the repository root).
func Dist(t testing.TB) string { return filepath.Join(testutil.RepoRoot(t), "dist") }

// Dir returns dist/repo, building dist/packages and dist/repo first unless
// they were built from the current source tree (`make repo` builds them
// before the tests in `make test`).
func Dir(t testing.TB) string {
	t.Helper()
	testutil.Need(t, "createrepo_c", "apt-ftparchive", "repo-add", "git")
	root := testutil.RepoRoot(t)
	dist := Dist(t)
	if err := os.MkdirAll(dist, 0o755); err != nil {
		t.Fatal(err)
	}
	unlock, err := testutil.FileLock(filepath.Join(dist, ".repo.lock"))
	if err != nil {
		t.Fatalf("locking dist/: %v", err)
	}
	defer unlock()
	out := filepath.Join(dist, "repo")
	fp, err := packages.Fingerprint(root)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := repo.ReadManifest(out); err == nil && m.Fingerprint == fp {
		return out
	}
	t.Logf("repotest: building dist/packages and dist/repo (about a minute)")
	keys, err := signing.Load(os.Getenv, filepath.Join(dist, "keys"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	pk := filepath.Join(dist, "packages")
	if _, err := packages.Run(context.Background(), packages.Options{Root: root, Out: pk, Keys: keys}); err != nil {
		t.Fatalf("building packages: %v", err)
	}
	if err := repo.Build(context.Background(), repo.Options{Packages: pk, Out: out, Keys: keys}); err != nil {
		t.Fatalf("building the repository: %v", err)
	}
	return out
}

// Packages returns the manifest of dist/packages (built by Dir).
func Packages(t testing.TB) (string, *packages.Result) {
	t.Helper()
	Dir(t)
	dir := filepath.Join(Dist(t), "packages")
	m, err := packages.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, m
}

// ServeRepo serves dist/repo on 127.0.0.1 until the test ends and returns
// its base URL (no trailing slash).
func ServeRepo(t testing.TB) string {
	t.Helper()
	return Serve(t, Dir(t))
}

// Serve serves dir on 127.0.0.1 until the test ends.
func Serve(t testing.TB, dir string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir))}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// RuntimeBinary extracts /usr/bin/faas-runtime for goarch (amd64, arm64)
// from the built .apk — "the runtime from our package" — into a temp dir.
func RuntimeBinary(t testing.TB, goarch string) string {
	t.Helper()
	return PackagedFile(t, "faas-runtime", goarch, "usr/bin/faas-runtime")
}

// PackagedFile extracts one file (path without leading '/') of package pkg
// for goarch from its .apk into a temp dir.
func PackagedFile(t testing.TB, pkg, goarch, path string) string {
	t.Helper()
	dir, m := Packages(t)
	arts := m.Find("apk", pkg, goarch)
	if len(arts) != 1 {
		t.Fatalf("no apk of %s for %s in %s", pkg, goarch, dir)
	}
	data, err := pkgfile.Read(filepath.Join(dir, arts[0].Path), path)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return dst
}
