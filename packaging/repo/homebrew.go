package repo

import (
	"os"
	"path/filepath"
)

// homebrew: the tap's Formula/ files of the newest release.
func (r *repoBuilder) homebrew() error {
	if r.prev != nil && (r.current != len(r.releases)-1 || len(r.man.Find("formula", "", "")) == 0) {
		// An older release published later (a backport), or a build without
		// the formula, leaves the tap as it was.
		for _, f := range r.prev.man.Formulae {
			data, err := r.prev.get(f)
			if err != nil {
				return err
			}
			if err := r.write(f, data); err != nil {
				return err
			}
		}
		r.formulae = r.prev.man.Formulae
		return nil
	}
	for _, a := range r.man.Find("formula", "", "") {
		r.formulae = append(r.formulae, filepath.Join(HomebrewDir, "Formula", filepath.Base(a.Path)))
		data, err := os.ReadFile(filepath.Join(r.pkgs, a.Path))
		if err != nil {
			return err
		}
		if err := r.write(filepath.Join(HomebrewDir, "Formula", filepath.Base(a.Path)), data); err != nil {
			return err
		}
	}
	return nil
}
