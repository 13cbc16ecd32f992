package scaffold

import (
	"fmt"

	"github.com/faas-runtime/faas-runtime/internal/scaffold/trust"
)

// KeyDir is the project directory that holds the repository's public keys.
const KeyDir = "keys"

// KeyFile is one trust anchor in the project's keys/, as README lists it.
type KeyFile struct {
	Path        string // keys/RPM-GPG-KEY-faas-runtime
	Kind        string // OpenPGP, or RSA (apk)
	Fingerprint string
	Check       string // a command that prints the fingerprint
	data        []byte
}

// KeysNeeded says which key a base's installer verifies with: apk's RSA
// key on Alpine, the OpenPGP key for rpm (UBI) and apt (distroless).
func KeysNeeded(base string) trust.Need {
	if base == "alpine" {
		return trust.Need{APK: true}
	}
	return trust.Need{PGP: true}
}

// MissingKeyError: the keys given lack the one the base needs.
type MissingKeyError struct{ Base, Want string }

func (e *MissingKeyError) Error() string {
	return fmt.Sprintf("--base %s needs the repository's %s to pin in keys/: give it with --repo-key FILE, or --repo-url URL to fetch it once from the repository", e.Base, e.Want)
}

// ProjectKeys returns the keys o's Dockerfile copies, as keys/ files.
func ProjectKeys(o Options) ([]KeyFile, error) { return keyFiles(o) }

// keyFiles returns the keys o's Dockerfile copies, as project files.
func keyFiles(o Options) ([]KeyFile, error) {
	need := KeysNeeded(o.Base)
	k := o.Keys
	if k == nil {
		k = &trust.Keys{}
	}
	var out []KeyFile
	if need.PGP {
		if k.PGP == nil {
			return nil, &MissingKeyError{Base: o.Base, Want: "OpenPGP public key (rpm and apt repositories)"}
		}
		f := KeyFile{Path: KeyDir + "/" + trust.RPMKeyName, Kind: "OpenPGP", Fingerprint: k.PGP.Fingerprint(), data: k.PGP.Armored(),
			Check: "gpg --show-keys " + KeyDir + "/" + trust.RPMKeyName}
		if o.Base == "distroless" {
			// apt's signed-by keyring, in the binary form the repository publishes.
			f.Path, f.data = KeyDir+"/"+trust.DebKeyringName, k.PGP.Binary()
			f.Check = "gpg --show-keys " + f.Path
		}
		out = append(out, f)
	}
	if need.APK {
		if k.APK == nil {
			return nil, &MissingKeyError{Base: o.Base, Want: "apk key (an RSA public key, NAME.rsa.pub)"}
		}
		p := KeyDir + "/" + k.APK.Name
		out = append(out, KeyFile{Path: p, Kind: "RSA (apk)", Fingerprint: k.APK.Fingerprint(), data: k.APK.PEM(),
			Check: "openssl pkey -pubin -in " + p + " -outform DER | sha256sum"})
	}
	return out, nil
}
