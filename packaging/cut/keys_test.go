package cut_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/packaging/cut"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// releaseKeys makes a key pair as a release would load it (from the
// environment, not throwaway) and returns it with the directory of its
// secret halves.
func releaseKeys(t *testing.T) (*signing.Keys, string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := signing.Load(func(string) string { return "" }, dir, io.Discard); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{signing.EnvPGPKey: filepath.Join(dir, signing.ThrowawayPGP), signing.EnvAPKKey: filepath.Join(dir, signing.ThrowawayAPK)}
	k, err := signing.Load(func(s string) string { return env[s] }, "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return k, dir
}

// commit writes k's public halves as packaging/keys/release holds them.
func commit(t *testing.T, k *signing.Keys) string {
	t.Helper()
	dir := t.TempDir()
	pgp, err := k.PublicPGP(true)
	if err != nil {
		t.Fatal(err)
	}
	apk, err := k.PublicAPK()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, cut.RPMKeyName), pgp, 0o644)
	os.WriteFile(filepath.Join(dir, k.APKName), apk, 0o644)
	return dir
}

func TestCheckKeys(t *testing.T) {
	k, _ := releaseKeys(t)
	other, _ := releaseKeys(t)
	committed := commit(t, k)
	if err := cut.CheckKeys(k, committed); err != nil {
		t.Fatalf("committed keys refused: %v", err)
	}
	throwaway := *k
	throwaway.Throwaway = true
	// Another apk key under the committed name.
	mixed := commit(t, k)
	otherAPK, _ := other.PublicAPK()
	os.WriteFile(filepath.Join(mixed, k.APKName), otherAPK, 0o644)
	for _, c := range []struct {
		name string
		keys *signing.Keys
		dir  string
		want string
	}{
		{"throwaway", &throwaway, committed, "refusing to release with throwaway keys"},
		{"none committed", k, t.TempDir(), "no release keys are committed"},
		{"another pgp key", other, committed, "is not a committed release key"},
		{"another apk key", k, mixed, "is not the public half of FAAS_APK_KEY"},
	} {
		if err := cut.CheckKeys(c.keys, c.dir); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
