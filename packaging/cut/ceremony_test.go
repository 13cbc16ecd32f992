package cut_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/cut"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// The key ceremony of docs/releasing.md, with gpg: a certify-only primary
// key kept offline and a signing subkey; CI holds only the export of the
// subkey (gpg --export-secret-subkeys: the primary's secret is a stub).
// faas-pkg loads that export, signs with the subkey, gpg verifies the
// signature against the committed public key, and CheckKeys accepts it.
func TestCeremonySubkeyOnly(t *testing.T) {
	gpg := testutil.Need(t, "gpg")[0]
	home := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(gpg, append([]string{"--homedir", home, "--batch", "--passphrase", ""}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("gpg %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("--quick-generate-key", "faas-runtime release <release@faas-runtime.invalid>", "rsa3072", "cert", "never")
	var fpr string
	for _, l := range strings.Split(run("--list-keys", "--with-colons"), "\n") {
		if f := strings.Split(l, ":"); f[0] == "fpr" {
			fpr = f[9]
			break
		}
	}
	run("--quick-add-key", fpr, "rsa3072", "sign", "2y")
	dir := t.TempDir()
	sub, pub := filepath.Join(dir, "subkey.asc"), filepath.Join(dir, cut.RPMKeyName)
	os.WriteFile(sub, []byte(run("--armor", "--export-secret-subkeys", fpr)), 0o600)
	os.WriteFile(pub, []byte(run("--armor", "--export", fpr)), 0o644)

	e, err := signing.LoadPGP(sub, "")
	if err != nil {
		t.Fatalf("loading the subkey-only export: %v", err)
	}
	k := &signing.Keys{PGP: e}
	if k.Fingerprint() != fpr {
		t.Fatalf("fingerprint %s, want the primary's %s", k.Fingerprint(), fpr)
	}
	data := []byte("faas-runtime release\n")
	sig, err := k.DetachSign(bytes.NewReader(data), true)
	if err != nil {
		t.Fatalf("signing with the subkey: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "data"), data, 0o644)
	os.WriteFile(filepath.Join(dir, "data.asc"), sig, 0o644)
	if out := run("--verify", filepath.Join(dir, "data.asc"), filepath.Join(dir, "data")); !strings.Contains(out, "Good signature") {
		t.Fatalf("gpg --verify:\n%s", out)
	}
	// The committed public half is the whole key: CheckKeys finds it (the
	// apk half is checked separately, as in TestCheckKeys).
	rk, _ := releaseKeys(t)
	k.APK, k.APKName = rk.APK, rk.APKName
	apk, _ := k.PublicAPK()
	os.WriteFile(filepath.Join(dir, k.APKName), apk, 0o644)
	if err := cut.CheckKeys(k, dir); err != nil {
		t.Fatalf("CheckKeys: %v", err)
	}
}
