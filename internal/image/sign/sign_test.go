package sign

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
)

var digest = v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("ab", 32)}

func writePEM(t *testing.T, typ string, der []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The payload is cosign's simple signing format, field for field (see
// sigstore/cosign specs/SIGNATURE_SPEC.md).
func TestPayloadIsSimpleSigning(t *testing.T) {
	p, err := Payload("127.0.0.1:5000/fn/echo", digest)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"critical":{"identity":{"docker-reference":"127.0.0.1:5000/fn/echo"},"image":{"docker-manifest-digest":"sha256:` +
		digest.Hex + `"},"type":"cosign container image signature"},"optional":null}`
	if string(p) != want {
		t.Errorf("payload\n%s\nwant\n%s", p, want)
	}
	if Tag(digest, "sig") != "sha256-"+digest.Hex+".sig" {
		t.Errorf("tag %s", Tag(digest, "sig"))
	}
}

func TestCosignEncryptedKeySignsAndVerifies(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	enc, err := encrypted.Encrypt(der, []byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	path := writePEM(t, "ENCRYPTED SIGSTORE PRIVATE KEY", enc)
	env := func(pw string) func(string) string {
		return func(k string) string {
			if k == PasswordEnv {
				return pw
			}
			return ""
		}
	}
	if _, err := LoadKey(path, env("wrong")); err == nil || !strings.Contains(err.Error(), "COSIGN_PASSWORD") {
		t.Fatalf("wrong password: %v", err)
	}
	s, err := LoadKey(path, env("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := Payload("r/x", digest)
	sig, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := s.Public()
	if err := Verify(pub, payload, sig); err != nil {
		t.Fatalf("own signature: %v", err)
	}
	tampered := []byte(strings.Replace(string(payload), "r/x", "r/y", 1))
	if err := Verify(pub, tampered, sig); err == nil {
		t.Fatal("a changed payload verified")
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherDER, _ := x509.MarshalPKIXPublicKey(&other.PublicKey)
	if err := Verify(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: otherDER}), payload, sig); err == nil {
		t.Fatal("another key verified the signature")
	}
	var v struct{ Critical struct{ Type string } }
	if json.Unmarshal(payload, &v); v.Critical.Type != "cosign container image signature" {
		t.Errorf("payload type %q", v.Critical.Type)
	}
}

func TestLoadKeyRefusals(t *testing.T) {
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	rder, _ := x509.MarshalPKCS8PrivateKey(rk)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pder, _ := x509.MarshalPKIXPublicKey(&ek.PublicKey)
	sec1, _ := x509.MarshalECPrivateKey(ek)
	notPEM := filepath.Join(t.TempDir(), "x")
	os.WriteFile(notPEM, []byte("hello"), 0o600)
	for _, c := range []struct{ path, want string }{
		{writePEM(t, "PRIVATE KEY", rder), "ECDSA"},
		{writePEM(t, "PUBLIC KEY", pder), "not a private key"},
		{notPEM, "not a PEM file"},
		{filepath.Join(t.TempDir(), "missing"), "no such file"},
	} {
		if _, err := LoadKey(c.path, os.Getenv); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.path, err, c.want)
		}
	}
	if _, err := LoadKey(writePEM(t, "EC PRIVATE KEY", sec1), os.Getenv); err != nil {
		t.Errorf("SEC 1 EC key: %v", err)
	}
}
