package signing_test

import (
	"bytes"
	"crypto"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/keys"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// The keys this package makes and every signature form it writes (rpm
// header and pacman .sig, repomd.xml.asc and Release.gpg, InRelease, and
// the two-key signatures of a key rotation) keep the rules that every rpm
// generation accepts (repotest.OpenPGPProblems), as real gpg lists them.
func TestOpenPGPRules(t *testing.T) {
	dir := t.TempDir()
	k, err := signing.Load(func(string) string { return "" }, filepath.Join(dir, "keys"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	// The key still trusted during a rotation: any RSA key (2048 bits, quicker to make).
	oldPGP, err := openpgp.NewEntity("old", "", "old@faas-runtime.invalid", &packet.Config{Algorithm: packet.PubKeyAlgoRSA, RSABits: 2048, DefaultHash: crypto.SHA256})
	if err != nil {
		t.Fatal(err)
	}
	old := &signing.Keys{PGP: oldPGP}
	data := []byte("Origin: faas-runtime\n")
	// write("f")(bytes, err) writes f, or fails on err.
	write := func(name string) func([]byte, error) string {
		return func(b []byte, err error) string {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}
	}
	one, two := signing.Signers{k}, signing.Signers{k, old}
	key := write("key.asc")(one.PublicPGP(true))
	bothKeys := write("both.asc")(two.PublicPGP(true))
	binary := write("data.sig")(one.DetachSign(data, false))
	armored := write("data.asc")(one.DetachSign(data, true))
	inRelease := write("InRelease")(one.ClearSign(data))
	repotest.CheckOpenPGP(t, key, binary, armored, inRelease)
	rotated := write("rotated.asc")(two.DetachSign(data, true))
	rotatedInRelease := write("rotated-InRelease")(two.ClearSign(data))
	repotest.CheckOpenPGP(t, bothKeys, rotated, rotatedInRelease)
}

// The rules can fail: a SHA-1 signature, and a key with no issuer
// fingerprint in its signatures, are each named.
func TestOpenPGPRulesRefuse(t *testing.T) {
	gpg := testutil.Need(t, "gpg")[0]
	home := t.TempDir()
	os.Chmod(home, 0o700)
	// Key generation starts a gpg-agent for home: stop it with the test.
	t.Cleanup(func() { exec.Command("gpgconf", "--homedir", home, "--kill", "gpg-agent").Run() })
	run := func(args ...string) {
		t.Helper()
		args = append([]string{"--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", ""}, args...)
		if out, err := exec.Command(gpg, args...).CombinedOutput(); err != nil {
			t.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	// What go-crypto refuses to make, gpg makes: an RSA-1024 key (below
	// rpm-sequoia's policy) and a SHA-1 signature.
	run("--quick-generate-key", "old <old@faas-runtime.invalid>", "rsa1024", "sign", "never")
	key, sig, data := filepath.Join(home, "key.gpg"), filepath.Join(home, "data.sig"), filepath.Join(home, "data")
	os.WriteFile(data, []byte("x"), 0o644)
	run("--output", key, "--export")
	run("--digest-algo", "SHA1", "--output", sig, "--detach-sign", data)
	for p, want := range map[string]string{key: "RSA key of 1024 bits", sig: "digest algorithm 2"} {
		if problems := strings.Join(repotest.OpenPGPProblems(repotest.ListPackets(t, p)), "\n"); !strings.Contains(problems, want) {
			t.Errorf("%s passed the rules (want %q): %q", filepath.Base(p), want, problems)
		}
	}
}

// The release keys committed in packaging/keys/release (embedded by
// runtime-init) keep the rules too: a rotation that commits a key some
// generation rejects fails here.
func TestReleaseKeysOpenPGPRules(t *testing.T) {
	n := 0
	err := fs.WalkDir(keys.FS, keys.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(keys.FS, path)
		if err != nil || !bytes.Contains(data, []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
			return err
		}
		n++
		p := filepath.Join(t.TempDir(), filepath.Base(path))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
		for _, problem := range repotest.OpenPGPProblems(repotest.ListPackets(t, p)) {
			t.Errorf("%s: %s", path, problem)
		}
		if len(repotest.SigningKeys(repotest.ListPackets(t, p))) == 0 {
			t.Errorf("%s: no key or subkey has the sign flag", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d committed OpenPGP release keys checked", n)
}
