package main

import (
	"os"
	"path/filepath"
	"testing"
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
