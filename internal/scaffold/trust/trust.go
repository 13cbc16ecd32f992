// Package trust reads the public keys a faas-runtime package repository is
// signed with, the trust anchors a scaffolded project pins in its keys/:
// an OpenPGP key (rpm, dnf, microdnf, apt) and an RSA key (apk). They come
// from files (--repo-key), from the repository itself, fetched once
// (--repo-url), or from the release keys built into runtime-init. Only
// public keys are accepted: a secret key given by mistake is refused, never
// copied.
package trust

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
)

// File names, in the repository tree and in a project's keys/. The
// repository's layout is packaging/repo's (a test compares them).
const (
	RPMKeyName        = "RPM-GPG-KEY-faas-runtime"         // armored OpenPGP key; repo: rpm/RPM-GPG-KEY-faas-runtime
	DebKeyringName    = "faas-runtime-archive-keyring.gpg" // binary OpenPGP key; repo: deb/faas-runtime-archive-keyring.gpg
	DefaultAPKKeyName = "faas-runtime.rsa.pub"             // PEM RSA key; repo: alpine/NAME.rsa.pub
	apkKeySuffix      = ".rsa.pub"
	repoRPMKey        = "rpm/" + RPMKeyName
	repoDebKeyring    = "deb/" + DebKeyringName
	repoAlpineDir     = "alpine"
	repoManifest      = "REPO.json"
)

// PGPKey is an OpenPGP public key.
type PGPKey struct {
	entity *openpgp.Entity
	Source string // where it came from, for messages
}

// Fingerprint is the key's v4 fingerprint in upper-case hex, as
// `gpg --fingerprint` and `rpm -qi gpg-pubkey` show it (without spaces).
func (k *PGPKey) Fingerprint() string { return fmt.Sprintf("%X", k.entity.PrimaryKey.Fingerprint) }

// Armored is the key as rpm --import and a .repo file's gpgkey read it.
func (k *PGPKey) Armored() []byte {
	var b bytes.Buffer
	w, _ := armor.Encode(&b, openpgp.PublicKeyType, nil)
	k.entity.Serialize(w) //nolint:errcheck // writes to memory
	w.Close()
	b.WriteByte('\n')
	return b.Bytes()
}

// Binary is the key as apt's signed-by keyring (a .gpg file).
func (k *PGPKey) Binary() []byte {
	var b bytes.Buffer
	k.entity.Serialize(&b) //nolint:errcheck // writes to memory
	return b.Bytes()
}

// APKKey is an RSA public key for apk, with the file name apk finds it by.
type APKKey struct {
	Name   string // NAME.rsa.pub: the name the repository's APKINDEX signature names
	der    []byte // PKIX
	Source string
}

// PEM is the key as /etc/apk/keys holds it.
func (k *APKKey) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: k.der})
}

// Fingerprint is the SHA-256 of the key's DER form, as
// `openssl pkey -pubin -in NAME.rsa.pub -outform DER | sha256sum` prints it.
func (k *APKKey) Fingerprint() string {
	sum := sha256.Sum256(k.der)
	return hex.EncodeToString(sum[:])
}

// Keys are a repository's trust anchors; either may be missing when the
// project does not need it.
type Keys struct {
	PGP *PGPKey
	APK *APKKey
	// Origin says where they came from, for the project's README: the
	// release keys, files given with --repo-key, or the URL fetched.
	Origin string
}

// FromFiles reads --repo-key files: each one OpenPGP public key (armored or
// binary) or one RSA public key (PEM) named NAME.rsa.pub.
func FromFiles(paths []string) (*Keys, error) {
	k := &Keys{Origin: "the key files given to runtime-init scaffold with --repo-key"}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("--repo-key %s: %w", p, err)
		}
		if err := k.add(filepath.Base(p), data, "--repo-key "+p); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// add parses one key file and keeps it, refusing a second key of a kind.
func (k *Keys) add(name string, data []byte, source string) error {
	pgp, apk, err := parse(name, data, source)
	if err != nil {
		return err
	}
	switch {
	case pgp != nil && k.PGP != nil:
		return fmt.Errorf("%s: a second OpenPGP key (%s came first): a repository is signed by one; give one", source, k.PGP.Source)
	case apk != nil && k.APK != nil:
		return fmt.Errorf("%s: a second RSA (apk) key (%s came first): a repository is signed by one; give one", source, k.APK.Source)
	case pgp != nil:
		k.PGP = pgp
	default:
		k.APK = apk
	}
	return nil
}

// parse reads one key of either kind. name is the file's name, which an
// apk key must keep.
func parse(name string, data []byte, source string) (*PGPKey, *APKKey, error) {
	if block, _ := pem.Decode(data); block != nil && !bytes.Contains(data, []byte("-----BEGIN PGP")) {
		apk, err := parseRSA(name, block, source)
		return nil, apk, err
	}
	pgp, err := parsePGP(data, source)
	return pgp, nil, err
}

func parsePGP(data []byte, source string) (*PGPKey, error) {
	if bytes.Contains(data, []byte("-----BEGIN PGP PRIVATE KEY BLOCK-----")) {
		return nil, fmt.Errorf("%s is an OpenPGP secret key: give the public key (gpg --export --armor KEYID), never the secret one", source)
	}
	var list openpgp.EntityList
	var err error
	if bytes.Contains(data, []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
		list, err = openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
	} else {
		list, err = openpgp.ReadKeyRing(bytes.NewReader(data))
	}
	if err != nil || len(list) == 0 {
		return nil, fmt.Errorf("%s is not a public key: want an OpenPGP public key (armored or binary, for rpm and apt) "+
			"or an RSA public key in PEM named NAME.rsa.pub (for apk)%s", source, cause(err))
	}
	if len(list) != 1 {
		return nil, fmt.Errorf("%s holds %d OpenPGP keys; want the one the repository is signed with", source, len(list))
	}
	if list[0].PrivateKey != nil {
		return nil, fmt.Errorf("%s is an OpenPGP secret key: give the public key (gpg --export --armor KEYID), never the secret one", source)
	}
	return &PGPKey{entity: list[0], Source: source}, nil
}

func parseRSA(name string, block *pem.Block, source string) (*APKKey, error) {
	var pub any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		if strings.Contains(block.Type, "PRIVATE") {
			return nil, fmt.Errorf("%s is a private key (%s): give the public key (openssl rsa -in KEY -pubout), never the private one", source, block.Type)
		}
		return nil, fmt.Errorf("%s holds a PEM %q: want an RSA public key (\"PUBLIC KEY\") for apk, or an OpenPGP public key", source, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable public key: %w", source, err)
	}
	rk, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%s is a %T, not an RSA key: apk verifies with RSA", source, pub)
	}
	if err := checkAPKName(name); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	der, err := x509.MarshalPKIXPublicKey(rk)
	if err != nil {
		return nil, err
	}
	return &APKKey{Name: name, der: der, Source: source}, nil
}

// checkAPKName: apk looks a signature's key up in /etc/apk/keys by the
// file name the repository was signed with, so the name must be kept.
func checkAPKName(name string) error {
	if !strings.HasSuffix(name, apkKeySuffix) || name == apkKeySuffix || strings.ContainsAny(name, "/\\ \t\n") || strings.HasPrefix(name, ".") {
		return fmt.Errorf("an apk key file must be named NAME.rsa.pub, the name the repository signs with "+
			"(the file in its alpine/ directory, e.g. %s), not %q: apk finds the key by that name", DefaultAPKKeyName, name)
	}
	return nil
}

func cause(err error) string {
	if err == nil || errors.Is(err, io.EOF) {
		return ""
	}
	return ": " + err.Error()
}
