// Package sign makes cosign-compatible image signatures with a key, no
// transparency log: the "simple signing" payload naming the repository and
// the manifest digest, signed with ECDSA P-256/SHA-256 (cosign's default
// key type), stored as cosign stores it (an image tagged
// sha256-<hex>.sig whose layer is the payload, the base64 signature in an
// annotation). `cosign verify --key cosign.pub` checks it.
package sign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
)

// Media types and annotations cosign uses.
const (
	PayloadMediaType    = "application/vnd.dev.cosign.simplesigning.v1+json"
	SignatureAnnotation = "dev.cosignproject.cosign/signature"
	// PasswordEnv is where cosign, and we, read an encrypted key's password.
	PasswordEnv = "COSIGN_PASSWORD"
)

// Signer signs payloads with a private key.
type Signer struct {
	key crypto.Signer
}

// Public returns the PEM public key, as `cosign public-key` writes it.
func (s *Signer) Public() ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(s.key.Public())
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// LoadKey reads a private key: cosign's encrypted key (cosign
// generate-key-pair; the password from COSIGN_PASSWORD, empty if unset) or
// an unencrypted PKCS#8 or SEC 1 PEM key (openssl genpkey). ECDSA P-256 is
// what cosign verifies by default.
func LoadKey(path string, getenv func(string) string) (*Signer, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--sign-key: %w", err)
	}
	blk, _ := pem.Decode(raw)
	if blk == nil {
		return nil, fmt.Errorf("--sign-key %s: not a PEM file", path)
	}
	der := blk.Bytes
	switch blk.Type {
	case "ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY":
		if der, err = encrypted.Decrypt(blk.Bytes, []byte(getenv(PasswordEnv))); err != nil {
			return nil, fmt.Errorf("--sign-key %s: decrypt (is %s right?): %w", path, PasswordEnv, err)
		}
	case "PRIVATE KEY", "EC PRIVATE KEY":
	default:
		return nil, fmt.Errorf("--sign-key %s: PEM %q is not a private key (want cosign.key or a PKCS#8/EC private key)", path, blk.Type)
	}
	var key any
	if blk.Type == "EC PRIVATE KEY" {
		key, err = x509.ParseECPrivateKey(der)
	} else {
		key, err = x509.ParsePKCS8PrivateKey(der)
	}
	if err != nil {
		return nil, fmt.Errorf("--sign-key %s: %w", path, err)
	}
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		return &Signer{key: k}, nil
	case *rsa.PrivateKey, ed25519.PrivateKey:
		return nil, fmt.Errorf("--sign-key %s: %T: cosign verify --key checks ECDSA keys by default; use cosign generate-key-pair", path, k)
	}
	return nil, fmt.Errorf("--sign-key %s: unsupported key type %T", path, key)
}

// Payload is the simple signing payload cosign signs and checks: the
// repository the image was pushed to and its manifest digest.
func Payload(repository string, digest v1.Hash) ([]byte, error) {
	type identity struct {
		DockerReference string `json:"docker-reference"`
	}
	type image struct {
		DockerManifestDigest string `json:"docker-manifest-digest"`
	}
	type critical struct {
		Identity identity `json:"identity"`
		Image    image    `json:"image"`
		Type     string   `json:"type"`
	}
	if repository == "" {
		return nil, errors.New("payload: no repository")
	}
	return json.Marshal(struct {
		Critical critical `json:"critical"`
		Optional any      `json:"optional"`
	}{Critical: critical{identity{repository}, image{digest.String()}, "cosign container image signature"}})
}

// Sign returns the base64 ECDSA signature over SHA-256(payload), the form
// of cosign's signature annotation.
func (s *Signer) Sign(payload []byte) (string, error) {
	h := sha256.Sum256(payload)
	sig, err := s.key.Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// Verify checks a base64 signature over payload with a PEM public key (for
// tests and inspect; cosign is the reference).
func Verify(pubPEM, payload []byte, sigB64 string) error {
	blk, _ := pem.Decode(pubPEM)
	if blk == nil {
		return errors.New("public key: not PEM")
	}
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return err
	}
	ec, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return fmt.Errorf("public key %T: want ECDSA", pub)
	}
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil {
		return err
	}
	h := sha256.Sum256(payload)
	if !ecdsa.VerifyASN1(ec, h[:], sig) {
		return errors.New("signature does not match")
	}
	return nil
}

// Tag is the tag cosign looks up for an image digest's attachments: suffix
// "sig" for signatures, "sbom" for an SBOM (cosign attach sbom).
func Tag(digest v1.Hash, suffix string) string {
	return digest.Algorithm + "-" + digest.Hex + "." + suffix
}
