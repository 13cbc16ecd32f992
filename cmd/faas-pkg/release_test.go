package main

import (
	"testing"
)

// release and publish refuse bad input with exit status 2 before building
// or contacting anything; release never signs with throwaway keys.
func TestReleaseAndPublishRefused(t *testing.T) {
	t.Setenv("FAAS_PGP_KEY", "")
	t.Setenv("FAAS_APK_KEY", "")
	for _, args := range [][]string{
		{"release", "--tag", "v1.0.0", "--first", "--pages", "/nonexistent.git"}, // no keys: never throwaway
		{"release"},                     // no tag
		{"release", "--tag", "v1.0.0", "extra"},
		{"publish", t.TempDir()},                  // no destination
		{"publish", t.TempDir(), "http://bucket"}, // not s3://
		{"publish", "--grace", "-1h", t.TempDir(), "s3://b/p"},
	} {
		if code := run(args); code != 2 {
			t.Errorf("faas-pkg %v: exit %d, want 2", args, code)
		}
	}
}
