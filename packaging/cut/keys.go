package cut

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// RPMKeyName is the committed OpenPGP public key file (as in packaging/keys/release).
const RPMKeyName = "RPM-GPG-KEY-faas-runtime"

// CheckKeys refuses keys a release must never be signed with: throwaway
// keys, and keys whose public halves are not committed in dir (the
// project's packaging/keys/release), which every runtime-init embeds and
// every scaffolded project pins: a release signed otherwise would be
// refused by all of them.
func CheckKeys(k *signing.Keys, dir string) error {
	if k.Throwaway {
		return fmt.Errorf("refusing to release with throwaway keys: set %s and %s to the release keys (docs/releasing.md)", signing.EnvPGPKey, signing.EnvAPKKey)
	}
	data, err := os.ReadFile(filepath.Join(dir, RPMKeyName))
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("refusing to release: no release keys are committed in %s (docs/releasing.md, \"Key ceremony\")", dir)
	}
	if err != nil {
		return err
	}
	ring, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(dir, RPMKeyName), err)
	}
	fp := k.Fingerprint()
	var committed []string
	found := false
	for _, e := range ring {
		c := fmt.Sprintf("%X", e.PrimaryKey.Fingerprint)
		committed = append(committed, c)
		found = found || c == fp
	}
	if !found {
		return fmt.Errorf("refusing to release: the OpenPGP key %s (%s) is not a committed release key (%s holds %s)",
			fp, signing.EnvPGPKey, filepath.Join(dir, RPMKeyName), strings.Join(committed, ", "))
	}
	pub, err := k.PublicAPK()
	if err != nil {
		return err
	}
	apkPath := filepath.Join(dir, k.APKName)
	have, err := os.ReadFile(apkPath)
	if err != nil {
		return fmt.Errorf("refusing to release: the apk key %s (%s) is not committed in %s: %w", k.APKName, signing.EnvAPKKey, dir, err)
	}
	if !bytes.Equal(bytes.TrimSpace(have), bytes.TrimSpace(pub)) {
		return fmt.Errorf("refusing to release: %s is not the public half of %s", apkPath, signing.EnvAPKKey)
	}
	return nil
}
