package trust

import (
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/faas-runtime/faas-runtime/packaging/keys"
)

// ErrNoReleaseKeys: this runtime-init was built without release keys.
var ErrNoReleaseKeys = errors.New("no faas-runtime release keys are built into this runtime-init")

// Release returns the release keys built into runtime-init (from
// packaging/keys/release), or ErrNoReleaseKeys when there are none.
func Release() (*Keys, error) { return fromFS(keys.FS, keys.Dir) }

func fromFS(fsys fs.FS, dir string) (*Keys, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	k := &Keys{Origin: "the faas-runtime release keys built into runtime-init"}
	for _, e := range entries {
		name := e.Name()
		if name == "README.md" {
			continue
		}
		if name != RPMKeyName && path.Ext(name) != ".pub" {
			return nil, fmt.Errorf("release key %s: want %s or NAME.rsa.pub", name, RPMKeyName)
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if err := k.add(name, data, "the release key "+name+" built into runtime-init"); err != nil {
			return nil, err
		}
	}
	if k.PGP == nil && k.APK == nil {
		return nil, ErrNoReleaseKeys
	}
	return k, nil
}

// HasRelease reports whether release keys are built in (runtime-init
// scaffold then need not ask for a repository first).
func HasRelease() bool {
	_, err := Release()
	return err == nil
}
