package cli_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/scaffold/trust"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// testKeys are the public keys the scaffold tests pin (made for the
// golden files; nothing is signed with them).
func testKeys(t *testing.T) (pgp, apk string) {
	dir := filepath.Join(testutil.RepoRoot(t), "internal", "scaffold", "testdata", "keys")
	return filepath.Join(dir, trust.RPMKeyName), filepath.Join(dir, trust.DefaultAPKKeyName)
}

func keyArgs(t *testing.T) []string {
	pgp, apk := testKeys(t)
	return []string{"--repo-key", pgp, "--repo-key", apk}
}

func noProject(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s was created", dir)
	}
}

// Without keys, scaffold uses the release keys built in; there are none
// yet, so it says how to name the repository's keys and writes nothing.
func TestScaffoldWithoutKeys(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	_, logs, code := runtimeInit(t, nil, "scaffold", "--name", "fn", dir)
	release, err := trust.Release()
	if err == nil {
		// A build with release keys pins them.
		if code != 0 || !strings.Contains(logs+readFile(t, filepath.Join(dir, "README.md")), release.PGP.Fingerprint()) {
			t.Fatalf("with release keys: exit %d\n%s", code, logs)
		}
		return
	}
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s", code, logs)
	}
	for _, want := range []string{"no faas-runtime release keys built in", "--repo-key FILE", "--repo-url URL", "dist/repo/rpm/RPM-GPG-KEY-faas-runtime", "NAME.rsa.pub"} {
		if !strings.Contains(logs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, logs)
		}
	}
	noProject(t, dir)
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, _ := os.ReadFile(p)
	return string(b)
}

// The pinned keys' fingerprints are printed, and README lists them; the
// keys/ file is the key given, and the Dockerfile copies it.
func TestScaffoldPrintsFingerprints(t *testing.T) {
	pgp, apk := testKeys(t)
	k, err := trust.FromFiles([]string{pgp, apk})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		base, file, kind, fpr string
		want                  []byte
	}{
		{"ubi-minimal", "keys/RPM-GPG-KEY-faas-runtime", "OpenPGP", k.PGP.Fingerprint(), k.PGP.Armored()},
		{"distroless", "keys/faas-runtime-archive-keyring.gpg", "OpenPGP", k.PGP.Fingerprint(), k.PGP.Binary()},
		{"alpine", "keys/faas-runtime.rsa.pub", "RSA (apk)", k.APK.Fingerprint(), k.APK.PEM()},
	} {
		dir := filepath.Join(t.TempDir(), "p")
		out, logs, code := scaffoldCLI(t, nil, "scaffold", "--name", "fn", "--base", c.base, "--lang", "prebuilt", dir)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", c.base, code, logs)
		}
		if line := "  " + c.file + "  " + c.kind + "  " + c.fpr + "\n"; !strings.Contains(out, line) {
			t.Errorf("%s: stdout lacks %q:\n%s", c.base, line, out)
		}
		if got := readFile(t, filepath.Join(dir, c.file)); got != string(c.want) {
			t.Errorf("%s: %s is not the key given", c.base, c.file)
		}
		if readme := readFile(t, filepath.Join(dir, "README.md")); !strings.Contains(readme, "| `"+c.file+"` | "+c.kind+" | `"+c.fpr+"` |") {
			t.Errorf("%s: README.md does not list the key", c.base)
		}
		if df := readFile(t, filepath.Join(dir, "Dockerfile")); !strings.Contains(df, "COPY "+c.file+" ") {
			t.Errorf("%s: the Dockerfile does not copy %s", c.base, c.file)
		}
	}
	// --dry-run prints them on stderr: stdout stays the files.
	out, logs, code := scaffoldCLI(t, nil, "scaffold", "--name", "fn", "--dry-run", filepath.Join(t.TempDir(), "p"))
	if code != 0 || !strings.Contains(logs, k.PGP.Fingerprint()) || !strings.HasPrefix(out, "==> ") {
		t.Errorf("--dry-run: exit %d, stderr:\n%s", code, logs)
	}
}

// A bad --repo-key is a usage error (exit 2) that names the file and the
// problem, and nothing is written.
func TestScaffoldBadRepoKey(t *testing.T) {
	pgp, apk := testKeys(t)
	tmp := t.TempDir()
	put := func(name string, data []byte) string {
		p := filepath.Join(tmp, name)
		os.WriteFile(p, data, 0o644)
		return p
	}
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	priv := put("private.rsa.pub", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)}))
	apkData, _ := os.ReadFile(apk)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--repo-key", put("notes.txt", []byte("not a key\n"))}, "notes.txt is not a public key: want an OpenPGP public key"},
		{[]string{"--repo-key", priv}, "private.rsa.pub is a private key (RSA PRIVATE KEY): give the public key"},
		{[]string{"--base", "alpine", "--repo-key", put("key.pem", apkData)}, "an apk key file must be named NAME.rsa.pub"},
		{[]string{"--repo-key", filepath.Join(tmp, "missing.asc")}, "missing.asc: open"},
		{[]string{"--repo-key", pgp, "--repo-key", pgp}, "a second OpenPGP key"},
		{[]string{"--base", "alpine", "--repo-key", pgp}, "--base alpine needs the repository's apk key"},
		{[]string{"--base", "ubi-micro", "--repo-key", apk}, "--base ubi-micro needs the repository's OpenPGP public key"},
		{[]string{"--repo-url", "repo.example.com"}, `--repo-url "repo.example.com": want the repository's base URL`},
	} {
		dir := filepath.Join(t.TempDir(), "p")
		_, logs, code := runtimeInit(t, nil, append(append([]string{"scaffold", "--name", "fn", "--lang", "prebuilt"}, c.args...), dir)...)
		if code != 2 || !strings.Contains(logs, c.want) {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant exit 2 and %q", c.args, code, logs, c.want)
		}
		noProject(t, dir)
	}
}

// --repo-url fetches the keys once from the repository (laid out as make
// repo writes it), prints their fingerprints, warns about plain http, and
// becomes the Dockerfile's FAAS_REPO_URL. A repository without keys is an
// error (exit 1) and nothing is written.
func TestScaffoldRepoURL(t *testing.T) {
	sk, err := signing.Load(func(string) string { return "" }, t.TempDir(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	armored, _ := sk.PublicPGP(true)
	binary, _ := sk.PublicPGP(false)
	apk, _ := sk.PublicAPK()
	files := map[string][]byte{"/rpm/RPM-GPG-KEY-faas-runtime": armored, "/deb/faas-runtime-archive-keyring.gpg": binary,
		"/alpine/acme.rsa.pub": apk, "/REPO.json": []byte(`{"apk_key_name": "acme.rsa.pub"}`)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	defer srv.Close()

	for _, c := range []struct {
		base, file string
		want       []byte
	}{
		{"distroless", "keys/faas-runtime-archive-keyring.gpg", binary},
		{"alpine", "keys/acme.rsa.pub", apk},
	} {
		dir := filepath.Join(t.TempDir(), "p")
		out, logs, code := runtimeInit(t, nil, "scaffold", "--name", "fn", "--base", c.base, "--lang", "prebuilt", "--repo-url", srv.URL+"/", dir)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", c.base, code, logs)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, c.file)); !bytes.Equal(got, c.want) {
			t.Errorf("%s: %s is not the repository's key", c.base, c.file)
		}
		if !strings.Contains(out, "from "+srv.URL+", fetched once") || !strings.Contains(logs, "fetched over plain http") {
			t.Errorf("%s: origin or http warning missing:\n%s\n%s", c.base, out, logs)
		}
		if df := readFile(t, filepath.Join(dir, "Dockerfile")); !strings.Contains(df, "ARG FAAS_REPO_URL="+srv.URL+"\n") {
			t.Errorf("%s: FAAS_REPO_URL is not the --repo-url", c.base)
		}
		if c.base != "distroless" {
			continue
		}
		// Another key does not replace the pinned one without --force.
		args := append([]string{"scaffold", "--name", "fn", "--base", c.base, "--lang", "prebuilt"}, keyArgs(t)...)
		_, logs, code = runtimeInit(t, nil, append(args, dir)...)
		if code != 1 || !strings.Contains(logs, "  "+c.file+"\n") || !strings.Contains(logs, "--force was not given") {
			t.Errorf("%s: scaffold again: exit %d\n%s", c.base, code, logs)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, c.file)); !bytes.Equal(got, c.want) {
			t.Errorf("%s: %s was replaced without --force", c.base, c.file)
		}
		if _, logs, code = runtimeInit(t, nil, append(args, "--force", dir)...); code != 0 {
			t.Errorf("%s: --force: exit %d\n%s", c.base, code, logs)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, c.file)); bytes.Equal(got, c.want) {
			t.Errorf("%s: --force did not replace %s", c.base, c.file)
		}
	}
	out, _, _ := runtimeInit(t, nil, "scaffold", "--name", "fn", "--base", "ubi-minimal", "--lang", "prebuilt", "--repo-url", srv.URL, "--dry-run", filepath.Join(t.TempDir(), "p"))
	if !strings.Contains(out, sk.Fingerprint()) {
		t.Errorf("README of the dry run lacks the fetched key's fingerprint %s", sk.Fingerprint())
	}

	dir := filepath.Join(t.TempDir(), "p")
	_, logs, code := runtimeInit(t, nil, "scaffold", "--name", "fn", "--lang", "prebuilt", "--repo-url", srv.URL+"/elsewhere", dir)
	if code != 1 || !strings.Contains(logs, srv.URL+"/elsewhere/rpm/RPM-GPG-KEY-faas-runtime: 404") || !strings.Contains(logs, "nothing was written") {
		t.Errorf("no keys there: exit %d\n%s", code, logs)
	}
	noProject(t, dir)
}
