package scaffold

import (
	"io/fs"
	"path"

	"github.com/faas-runtime/faas-runtime/include"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
)

// headerFiles are the ABI headers a C sharedlib project compiles against,
// written under include/ as the repository's include/ holds them (not
// templates: the project's header is the runtime's, byte for byte).
func headerFiles(o Options) ([]File, error) {
	if o.Lang != "c" || o.Mode != string(modes.Sharedlib) {
		return nil, nil
	}
	var out []File
	err := fs.WalkDir(include.FS, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || path.Ext(p) != ".h" {
			return err
		}
		data, err := fs.ReadFile(include.FS, p)
		out = append(out, File{Path: path.Join("include", p), Mode: 0o644, Data: data})
		return err
	})
	return out, err
}
