package repo

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/faas-runtime/faas-runtime/packaging/packages"
)

// pacman: packages with detached .sig files, a repo-add database, signed.
func (r *repoBuilder) pacman(kind, dirRel string) error {
	byDir := map[string][]string{}
	paths, err := r.copyArtifacts(kind, func(a packages.Artifact) string {
		if kind == "msys2" {
			return filepath.Join(dirRel, packages.MSYS2Envs[a.GOARCH].Name)
		}
		return filepath.Join(dirRel, a.Arch)
	})
	if err != nil {
		return err
	}
	for _, p := range paths {
		byDir[filepath.Dir(p)] = append(byDir[filepath.Dir(p)], filepath.Base(p))
	}
	for _, d := range r.keptDirs(dirRel, ".pkg.tar.zst") {
		if _, ok := byDir[d]; !ok {
			byDir[d] = nil // only earlier releases' packages: the database is still rebuilt
		}
	}
	for dir, added := range byDir {
		for _, n := range added {
			if err := r.signPackage(filepath.Join(dir, n)); err != nil {
				return err
			}
			rel, _ := filepath.Rel(r.out, filepath.Join(dir, n+".sig"))
			r.newFiles = append(r.newFiles, rel)
		}
		// Earlier releases' packages keep their own signatures. A pacman
		// database holds one version per package: the newest (repo-add
		// keeps the last one given); older ones stay installable by URL.
		all, err := filepath.Glob(filepath.Join(dir, "*.pkg.tar.*"))
		if err != nil {
			return err
		}
		var names []string
		for _, p := range all {
			if !strings.HasSuffix(p, ".sig") {
				names = append(names, filepath.Base(p))
			}
		}
		r.ordered(names)
		db := PacmanRepo + ".db.tar.gz"
		if err := r.run(dir, nil, "repo-add", append([]string{"--quiet", "--nocolor", db}, names...)...); err != nil {
			return err
		}
		// repo-add's tar stamps entries with the current time.
		for _, n := range []string{db, PacmanRepo + ".files.tar.gz"} {
			if err := reproducibleTarGz(filepath.Join(dir, n), r.sde()); err != nil {
				return err
			}
		}
		// repo-add links NAME.db -> NAME.db.tar.gz; buckets and some servers
		// do not follow symlinks, so publish plain copies.
		for _, pair := range [][2]string{{PacmanRepo + ".db", db}, {PacmanRepo + ".files", PacmanRepo + ".files.tar.gz"}} {
			if err := replaceLink(filepath.Join(dir, pair[0]), filepath.Join(dir, pair[1])); err != nil {
				return err
			}
			os.Remove(filepath.Join(dir, pair[0]+".sig"))
		}
		os.Remove(filepath.Join(dir, db+".old"))
		for _, n := range []string{PacmanRepo + ".db", db} {
			if err := r.signFile(filepath.Join(dir, n), false, ".sig"); err != nil {
				return err
			}
		}
	}
	return nil
}

func replaceLink(link, target string) error {
	data, err := os.ReadFile(target)
	if err != nil {
		return err
	}
	os.Remove(link)
	return os.WriteFile(link, data, 0o644)
}
