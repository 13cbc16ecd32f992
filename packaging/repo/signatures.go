package repo

import (
	"os"
	"path/filepath"

	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// publicKeys publishes every signer's public keys where clients fetch them.
func (r *repoBuilder) publicKeys() error {
	armored, err := r.signers.PublicPGP(true)
	if err != nil {
		return err
	}
	binary, err := r.signers.PublicPGP(false)
	if err != nil {
		return err
	}
	files := map[string][]byte{PGPPublicKey: armored, RPMKey: armored, DebKeyring: binary}
	for _, k := range r.signers {
		apkPub, err := k.PublicAPK()
		if err != nil {
			return err
		}
		files[filepath.Join(AlpineDir, k.APKName)] = apkPub
	}
	for rel, data := range files {
		if err := r.write(rel, data); err != nil {
			return err
		}
	}
	return nil
}

// signFile signs metadata with every signer (the key, then transition keys).
func (r *repoBuilder) signFile(path string, armored bool, suffix string) error {
	return r.signWith(r.signers, path, armored, suffix)
}

// signPackage signs a package with the current key only: like rpm and apk
// packages, a package keeps the one signature it was published with.
func (r *repoBuilder) signPackage(path string) error {
	return r.signWith(signing.Signers{r.keys}, path, false, ".sig")
}

func (r *repoBuilder) signWith(signers signing.Signers, path string, armored bool, suffix string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	sig, err := signers.DetachSign(data, armored)
	if err != nil {
		return err
	}
	return os.WriteFile(path+suffix, sig, 0o644)
}
