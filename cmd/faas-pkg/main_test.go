package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// Bad history flags fail with exit status 2 before any key is loaded or
// package built.
func TestHistoryFlagsRefused(t *testing.T) {
	dist := t.TempDir()
	notRepo := t.TempDir()
	os.WriteFile(filepath.Join(notRepo, "REPO.json"), []byte(`{"version":"0.1.0"}`), 0o644)
	for _, args := range [][]string{
		{"repo", "--dist", dist, "--keep", "-1"},
		{"repo", "--dist", dist, "--from", filepath.Join(dist, "nonexistent")},
		{"repo", "--dist", dist, "--from", notRepo}, // no release list
		{"packages", "--dist", dist, "--from", notRepo},
	} {
		if code := run(args); code != 2 {
			t.Errorf("faas-pkg %v: exit %d, want 2", args, code)
		}
	}
	if _, err := os.Stat(filepath.Join(dist, "keys")); !os.IsNotExist(err) {
		t.Errorf("keys were made before the flags were checked: %v", err)
	}
}

// faas-pkg repo (make repo) names the missing repository tools at once,
// before keys are made or packages built.
func TestRepoToolsCheckedFirst(t *testing.T) {
	dist := t.TempDir()
	cmd := exec.Command(testutil.Binary(t, "./cmd/faas-pkg"), "repo", "--dist", dist)
	cmd.Dir = testutil.RepoRoot(t)
	cmd.Env = append(os.Environ(), "PATH="+t.TempDir()) // none of createrepo_c, apt-ftparchive, repo-add
	start := time.Now()
	_, stderr, code := testutil.Run(t, cmd)
	for _, want := range []string{"createrepo_c", "apt-ftparchive", "repo-add", "apt-get install createrepo-c apt-utils pacman-package-manager"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, stderr)
		}
	}
	if code != 1 || time.Since(start) > 5*time.Second {
		t.Errorf("exit %d after %s", code, time.Since(start))
	}
	if _, err := os.Stat(filepath.Join(dist, "keys")); !os.IsNotExist(err) {
		t.Errorf("keys were made before the tools were checked: %v", err)
	}
}
