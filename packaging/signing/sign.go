// Package signing loads (or makes throwaway) signing keys and signs package
// repositories: an OpenPGP RSA key for rpm packages, repomd.xml, apt's
// InRelease and pacman signatures, and an RSA key for apk packages and
// APKINDEX. Signatures take their creation time from SOURCE_DATE_EPOCH so
// that signed packages are reproducible (RSA PKCS#1 v1.5 is deterministic).
package signing

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Environment variables that name the signing keys.
const (
	EnvPGPKey        = "FAAS_PGP_KEY"        // OpenPGP secret key (RSA), armored or binary
	EnvPGPPassphrase = "FAAS_PGP_PASSPHRASE" // its passphrase, if it has one
	EnvAPKKey        = "FAAS_APK_KEY"        // RSA private key, PEM (PKCS#1 or PKCS#8)
	EnvAPKKeyName    = "FAAS_APK_KEY_NAME"   // name users install in /etc/apk/keys, default faas-runtime.rsa.pub
)

// DefaultAPKKeyName is the apk key's file name in /etc/apk/keys.
const DefaultAPKKeyName = "faas-runtime.rsa.pub"

// Keys are the two signing keys.
type Keys struct {
	PGP *openpgp.Entity
	APK *rsa.PrivateKey
	// APKName is the public key's file name (…​.rsa.pub) that apk looks up in /etc/apk/keys.
	APKName string
	// Throwaway is set when the keys were generated because none were given.
	Throwaway bool
	// Time is the signature creation time (SOURCE_DATE_EPOCH).
	Time time.Time
}

// Load reads the keys named by the environment (getenv). With neither
// variable set it uses throwaway keys in dir, generating them on first use,
// and says so on warn. Setting only one of the two is an error: a release
// signed half by a throwaway key is never what one wants.
func Load(getenv func(string) string, dir string, warn io.Writer) (*Keys, error) {
	pgpPath, apkPath := getenv(EnvPGPKey), getenv(EnvAPKKey)
	name := getenv(EnvAPKKeyName)
	if name == "" {
		name = DefaultAPKKeyName
	}
	if !strings.HasSuffix(name, ".rsa.pub") || strings.ContainsAny(name, "/\\") {
		return nil, fmt.Errorf("%s=%q: must be a file name ending in .rsa.pub", EnvAPKKeyName, name)
	}
	switch {
	case pgpPath == "" && apkPath == "":
		k, err := throwaway(dir, name)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(warn, "\n"+
			"*** WARNING: %s and %s are not set: signing with THROWAWAY keys in %s.\n"+
			"*** Packages and repositories signed with them are for testing only.\n\n", EnvPGPKey, EnvAPKKey, dir)
		return k, nil
	case pgpPath == "":
		return nil, fmt.Errorf("%s is set but %s is not: set both signing keys, or neither for throwaway keys", EnvAPKKey, EnvPGPKey)
	case apkPath == "":
		return nil, fmt.Errorf("%s is set but %s is not: set both signing keys, or neither for throwaway keys", EnvPGPKey, EnvAPKKey)
	}
	pgpKey, err := LoadPGP(pgpPath, getenv(EnvPGPPassphrase))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvPGPKey, err)
	}
	apkKey, err := LoadRSA(apkPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvAPKKey, err)
	}
	return &Keys{PGP: pgpKey, APK: apkKey, APKName: name}, nil
}

// LoadPGP reads an OpenPGP secret key that can sign with RSA.
func LoadPGP(path, passphrase string) (*openpgp.Entity, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the OpenPGP key: %w", err)
	}
	var list openpgp.EntityList
	if bytes.Contains(data, []byte("-----BEGIN PGP")) {
		list, err = openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
	} else {
		list, err = openpgp.ReadKeyRing(bytes.NewReader(data))
	}
	if err != nil {
		return nil, fmt.Errorf("%s is not an OpenPGP key: %w", path, err)
	}
	if len(list) != 1 {
		return nil, fmt.Errorf("%s holds %d keys; want exactly one", path, len(list))
	}
	e := list[0]
	if e.PrivateKey == nil {
		return nil, fmt.Errorf("%s is a public key; signing needs the secret key (gpg --export-secret-keys --armor)", path)
	}
	if _, ok := e.PrivateKey.PublicKey.PublicKey.(*rsa.PublicKey); !ok {
		return nil, fmt.Errorf("%s is not an RSA key: RPM-based distributions and this tool sign with RSA/SHA-256", path)
	}
	if e.PrivateKey.Encrypted {
		if passphrase == "" {
			return nil, fmt.Errorf("%s is protected by a passphrase: set %s", path, EnvPGPPassphrase)
		}
		if err := e.DecryptPrivateKeys([]byte(passphrase)); err != nil {
			return nil, fmt.Errorf("%s: wrong passphrase: %w", path, err)
		}
	}
	// Sign with the primary key: a signing subkey would need the
	// verifiers to pick it, and the keys generated here have none.
	return e, nil
}

// LoadRSA reads a PEM RSA private key (PKCS#1 or PKCS#8).
func LoadRSA(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the RSA key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s is not a PEM file (want an RSA private key: openssl genrsa 4096)", path)
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s holds no private key (%s): want an RSA private key", path, block.Type)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s is a %T, not an RSA key: apk signs with RSA", path, k)
	}
	return rk, nil
}

// Throwaway key file names in the throwaway directory.
const (
	ThrowawayPGP = "pgp-secret.asc"
	ThrowawayAPK = "apk-private.pem"
)

func throwaway(dir, name string) (*Keys, error) {
	pgpPath, apkPath := filepath.Join(dir, ThrowawayPGP), filepath.Join(dir, ThrowawayAPK)
	if _, err := os.Stat(pgpPath); err == nil {
		pk, err := LoadPGP(pgpPath, "")
		if err != nil {
			return nil, fmt.Errorf("throwaway key (remove %s to make new ones): %w", dir, err)
		}
		ak, err := LoadRSA(apkPath)
		if err != nil {
			return nil, fmt.Errorf("throwaway key (remove %s to make new ones): %w", dir, err)
		}
		return &Keys{PGP: pk, APK: ak, APKName: name, Throwaway: true}, nil
	}
	pk, err := NewPGP("faas-runtime throwaway signing key", "throwaway@faas-runtime.invalid")
	if err != nil {
		return nil, err
	}
	ak, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		return nil, err
	}
	// Only the key directory is private: dist/ above it holds the
	// repository a web server running as another user must read.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	var sec bytes.Buffer
	if err := WriteSecret(&sec, pk); err != nil {
		return nil, err
	}
	apkPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(ak)})
	// Write both then rename, so a half-made pair never passes for a pair.
	tmp, err := os.MkdirTemp(dir, ".new-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := os.WriteFile(filepath.Join(tmp, ThrowawayAPK), apkPEM, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, ThrowawayPGP), sec.Bytes(), 0o600); err != nil {
		return nil, err
	}
	if err := os.Rename(filepath.Join(tmp, ThrowawayAPK), apkPath); err != nil {
		return nil, err
	}
	if err := os.Rename(filepath.Join(tmp, ThrowawayPGP), pgpPath); err != nil {
		return nil, err
	}
	return &Keys{PGP: pk, APK: ak, APKName: name, Throwaway: true}, nil
}

// NewPGP makes an RSA 3072 OpenPGP key with SHA-256 self-signatures.
func NewPGP(name, email string) (*openpgp.Entity, error) {
	return openpgp.NewEntity(name, "", email, &packet.Config{
		Algorithm: packet.PubKeyAlgoRSA, RSABits: 3072, DefaultHash: crypto.SHA256,
	})
}

// WriteSecret writes e's secret key, armored.
func WriteSecret(w io.Writer, e *openpgp.Entity) error {
	aw, err := armor.Encode(w, openpgp.PrivateKeyType, nil)
	if err != nil {
		return err
	}
	// Without re-signing: the self-signatures exist, and a locked key could not sign.
	if err := e.SerializePrivateWithoutSigning(aw, nil); err != nil {
		return err
	}
	return aw.Close()
}

// PublicPGP returns the public key, armored (armor=true) or binary (for
// /etc/apt/keyrings/*.gpg).
func (k *Keys) PublicPGP(armored bool) ([]byte, error) {
	var buf bytes.Buffer
	w := io.WriteCloser(nopCloser{&buf})
	if armored {
		aw, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
		if err != nil {
			return nil, err
		}
		w = aw
	}
	if err := k.PGP.Serialize(w); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// PublicAPK returns the apk public key, PEM (PKIX), as apk-tools reads it.
func (k *Keys) PublicAPK() ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(&k.APK.PublicKey)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// Fingerprint is the OpenPGP key's fingerprint, upper-case hex.
func (k *Keys) Fingerprint() string { return fmt.Sprintf("%X", k.PGP.PrimaryKey.Fingerprint) }

func (k *Keys) config() *packet.Config {
	// A signature cannot predate its key: a key made after the commit
	// signs at its own creation time, which is still reproducible.
	t := k.Time
	if c := k.PGP.PrimaryKey.CreationTime; !t.IsZero() && t.Before(c) {
		t = c
	}
	// No random salt notation: the same input must give the same
	// signature (reproducible packages); RSA PKCS#1 v1.5 is deterministic.
	deterministic := false
	return &packet.Config{DefaultHash: crypto.SHA256, NonDeterministicSignaturesViaNotation: &deterministic, Time: func() time.Time {
		if t.IsZero() {
			return time.Now()
		}
		return t
	}}
}

// DetachSign returns a detached signature of data: binary for rpm headers
// and pacman .sig files, armored for repomd.xml.asc and Release.gpg.
func (k *Keys) DetachSign(data io.Reader, armored bool) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	if armored {
		err = openpgp.ArmoredDetachSign(&buf, k.PGP, data, k.config())
	} else {
		err = openpgp.DetachSign(&buf, k.PGP, data, k.config())
	}
	if err != nil {
		return nil, fmt.Errorf("OpenPGP signing: %w", err)
	}
	return buf.Bytes(), nil
}

// withArmorChecksum re-armors the signature block of a clear-signed message
// with the CRC-24 line and a final newline. go-crypto omits both (RFC 9580
// makes the CRC optional), but gpg and gpgv, reading the file itself, then
// take the END line for radix-64 data and exit 2 after "Good signature".
func withArmorChecksum(signed []byte) ([]byte, error) {
	const begin = "-----BEGIN PGP SIGNATURE-----"
	i := bytes.LastIndex(signed, []byte(begin))
	if i < 0 {
		return nil, errors.New("clear-signing: no signature block")
	}
	block, err := armor.Decode(bytes.NewReader(signed[i:]))
	if err != nil {
		return nil, fmt.Errorf("clear-signing: %w", err)
	}
	sig, err := io.ReadAll(block.Body)
	if err != nil {
		return nil, fmt.Errorf("clear-signing: %w", err)
	}
	var out bytes.Buffer
	out.Write(signed[:i])
	aw, err := armor.Encode(&out, block.Type, block.Header)
	if err != nil {
		return nil, err
	}
	aw.Write(sig)
	if err := aw.Close(); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// SignSHA256 signs a SHA-256 digest with the apk key: apk-tools 2.14 and 3
// verify these as .SIGN.RSA256.<key> (packages and APKINDEX).
func (k *Keys) SignSHA256(digest []byte) ([]byte, error) {
	if len(digest) != sha256.Size {
		return nil, errors.New("apk signing: not a SHA-256 digest")
	}
	return rsa.SignPKCS1v15(nil, k.APK, crypto.SHA256, digest)
}
