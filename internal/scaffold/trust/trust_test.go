package trust

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// keyDir keeps the throwaway keys between tests: making them takes seconds.
var keyDir string

func TestMain(m *testing.M) {
	var err error
	if keyDir, err = os.MkdirTemp("", "trust-test-keys-"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(keyDir)
	os.Exit(code)
}

// repoKeys makes a throwaway signing key pair as make repo does (once) and
// returns it with its public halves in the repository's layout.
func repoKeys(t *testing.T) (*signing.Keys, map[string][]byte) {
	t.Helper()
	k, err := signing.Load(func(string) string { return "" }, keyDir, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	armored, _ := k.PublicPGP(true)
	binary, _ := k.PublicPGP(false)
	apk, _ := k.PublicAPK()
	return k, map[string][]byte{repoRPMKey: armored, repoDebKeyring: binary, repoAlpineDir + "/" + k.APKName: apk}
}

func write(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The keys make repo publishes read back as the same keys: the armored
// and the binary OpenPGP key, and the apk key under its name.
func TestFromFilesReadsTheRepositoryKeys(t *testing.T) {
	sk, files := repoKeys(t)
	for _, p := range []string{repoRPMKey, repoDebKeyring} {
		k, err := FromFiles([]string{write(t, filepath.Base(p), files[p]), write(t, sk.APKName, files[repoAlpineDir+"/"+sk.APKName])})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if k.PGP.Fingerprint() != sk.Fingerprint() {
			t.Errorf("%s: fingerprint %s, want %s", p, k.PGP.Fingerprint(), sk.Fingerprint())
		}
		// Written back, they are the files the repository serves.
		if !bytes.Equal(k.PGP.Binary(), files[repoDebKeyring]) || !bytes.Equal(bytes.TrimSpace(k.PGP.Armored()), bytes.TrimSpace(files[repoRPMKey])) {
			t.Errorf("%s: the key written into keys/ is not the repository's", p)
		}
		if k.APK.Name != sk.APKName || !bytes.Equal(k.APK.PEM(), files[repoAlpineDir+"/"+sk.APKName]) {
			t.Errorf("apk key %s: not the repository's", k.APK.Name)
		}
	}
}

// The fingerprints are the ones the tools users check with print.
func TestFingerprintsMatchTheTools(t *testing.T) {
	tools := testutil.Need(t, "gpg", "openssl")
	_, files := repoKeys(t)
	k, err := FromFiles([]string{write(t, RPMKeyName, files[repoRPMKey]), write(t, DefaultAPKKeyName, files[repoAlpineDir+"/"+DefaultAPKKeyName])})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tools[0], "--show-keys", "--with-colons", "-")
	cmd.Stdin = bytes.NewReader(k.PGP.Armored())
	cmd.Env = append(os.Environ(), "GNUPGHOME="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "fpr:::::::::"+k.PGP.Fingerprint()+":") {
		t.Errorf("gpg --show-keys does not show %s:\n%s", k.PGP.Fingerprint(), out)
	}
	p := write(t, DefaultAPKKeyName, k.APK.PEM())
	out, err = exec.Command("sh", "-c", tools[1]+` pkey -pubin -in "$1" -outform DER | sha256sum`, "sh", p).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(string(out))[0]; got != k.APK.Fingerprint() {
		t.Errorf("openssl|sha256sum prints %s, Fingerprint %s", got, k.APK.Fingerprint())
	}
}

// An RSA key in PKCS#1 form ("RSA PUBLIC KEY") is written in the PKIX
// form apk reads.
func TestPKCS1KeyIsConverted(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&rk.PublicKey)})
	k, err := FromFiles([]string{write(t, "acme.rsa.pub", pkcs1)})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(k.APK.PEM())
	if b.Type != "PUBLIC KEY" {
		t.Fatalf("written as %s", b.Type)
	}
	if pub, err := x509.ParsePKIXPublicKey(b.Bytes); err != nil || !pub.(*rsa.PublicKey).Equal(&rk.PublicKey) {
		t.Fatalf("not the same key: %v", err)
	}
}

// Every wrong file is refused with a message that says what was wrong and
// what to give instead; no secret key is ever accepted.
func TestBadKeyFiles(t *testing.T) {
	sk, files := repoKeys(t)
	var secret bytes.Buffer
	w, _ := armorEncodeSecret(&secret)
	sk.PGP.SerializePrivate(w, nil)
	w.Close()
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaPriv := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)})
	two := append(append([]byte{}, files[repoDebKeyring]...), otherPGP(t)...)
	apk := files[repoAlpineDir+"/"+sk.APKName]

	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"notes.txt", []byte("hello\n"), "is not a public key: want an OpenPGP public key"},
		{"empty.asc", nil, "is not a public key"},
		{"secret.asc", secret.Bytes(), "is an OpenPGP secret key: give the public key"},
		{"key.rsa.pub", rsaPriv, "is a private key (RSA PRIVATE KEY)"},
		{"apk.pem", apk, "must be named NAME.rsa.pub"},
		{".rsa.pub", apk, "must be named NAME.rsa.pub"},
		{"two.gpg", two, "holds 2 OpenPGP keys"},
		{"cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), `holds a PEM "CERTIFICATE"`},
	} {
		p := write(t, c.name, c.data)
		_, err := FromFiles([]string{p})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v; want an error naming the file and %q", c.name, err, c.want)
		}
	}
	if _, err := FromFiles([]string{filepath.Join(t.TempDir(), "missing.asc")}); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	pgp := write(t, RPMKeyName, files[repoRPMKey])
	if _, err := FromFiles([]string{pgp, write(t, "other.gpg", otherPGP(t))}); err == nil || !strings.Contains(err.Error(), "a second OpenPGP key") {
		t.Errorf("two OpenPGP keys: %v", err)
	}
}

// Fetch reads the keys from a repository as make repo lays it out, the
// apk key by the name REPO.json gives; it says which URL failed.
func TestFetch(t *testing.T) {
	sk, files := repoKeys(t)
	mux := http.NewServeMux()
	serve := func(p string, data []byte) {
		mux.HandleFunc("/faas/"+p, func(w http.ResponseWriter, _ *http.Request) { w.Write(data) })
	}
	for p, data := range files {
		serve(p, data)
	}
	apk := files[repoAlpineDir+"/"+sk.APKName]
	serve(repoAlpineDir+"/acme.rsa.pub", apk)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	k, err := Fetch(context.Background(), srv.Client(), srv.URL+"/faas/", Need{PGP: true, APK: true})
	if err != nil {
		t.Fatal(err)
	}
	if k.PGP.Fingerprint() != sk.Fingerprint() || k.APK.Name != DefaultAPKKeyName || !bytes.Equal(k.APK.PEM(), apk) {
		t.Errorf("fetched %s %s", k.PGP.Fingerprint(), k.APK.Name)
	}
	if !strings.Contains(k.Origin, srv.URL+"/faas") {
		t.Errorf("origin %q does not name the URL", k.Origin)
	}
	// A repository whose apk key has another name says so in REPO.json.
	serve(repoManifest, []byte(`{"apk_key_name":"acme.rsa.pub"}`))
	if k, err = Fetch(context.Background(), srv.Client(), srv.URL+"/faas", Need{APK: true}); err != nil || k.APK.Name != "acme.rsa.pub" || k.PGP != nil {
		t.Errorf("REPO.json's key name: %+v, %v", k, err)
	}
	if _, err := Fetch(context.Background(), srv.Client(), srv.URL+"/nothing", Need{PGP: true}); err == nil ||
		!strings.Contains(err.Error(), srv.URL+"/nothing/rpm/RPM-GPG-KEY-faas-runtime: 404") {
		t.Errorf("missing repository: %v", err)
	}
	for _, bad := range []string{"ftp://x/y", "repo.example.com", "https://", "https://x/y?z=1"} {
		if _, err := Fetch(context.Background(), srv.Client(), bad, Need{PGP: true}); err == nil || !strings.Contains(err.Error(), "want the repository's base URL") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// The release keys: none (ErrNoReleaseKeys), or files that parse; a file
// of another name is an error, not skipped.
func TestReleaseKeys(t *testing.T) {
	_, files := repoKeys(t)
	readme := &fstest.MapFile{Data: []byte("# keys\n")}
	if _, err := fromFS(fstest.MapFS{"r/README.md": readme}, "r"); !errors.Is(err, ErrNoReleaseKeys) {
		t.Errorf("README only: %v", err)
	}
	k, err := fromFS(fstest.MapFS{"r/README.md": readme, "r/" + RPMKeyName: {Data: files[repoRPMKey]},
		"r/faas-runtime.rsa.pub": {Data: files[repoAlpineDir+"/faas-runtime.rsa.pub"]}}, "r")
	if err != nil || k.PGP == nil || k.APK == nil || !strings.Contains(k.Origin, "built into runtime-init") {
		t.Errorf("both keys: %+v %v", k, err)
	}
	if _, err := fromFS(fstest.MapFS{"r/key.asc": {Data: files[repoRPMKey]}}, "r"); err == nil || !strings.Contains(err.Error(), "want RPM-GPG-KEY-faas-runtime or NAME.rsa.pub") {
		t.Errorf("odd name: %v", err)
	}
	// What is committed in packaging/keys/release.
	if k, err := Release(); err != nil && !errors.Is(err, ErrNoReleaseKeys) {
		t.Errorf("packaging/keys/release: %v", err)
	} else if err == nil && k.PGP == nil {
		t.Errorf("packaging/keys/release has an apk key but no OpenPGP key")
	}
}

func armorEncodeSecret(w io.Writer) (io.WriteCloser, error) {
	return armor.Encode(w, openpgp.PrivateKeyType, nil)
}

// otherPGP is another OpenPGP public key, binary.
func otherPGP(t *testing.T) []byte {
	t.Helper()
	e, err := openpgp.NewEntity("other", "", "other@faas-runtime.invalid", &packet.Config{Algorithm: packet.PubKeyAlgoRSA, RSABits: 2048})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := e.Serialize(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
