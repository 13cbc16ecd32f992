package repo

import (
	"fmt"
	"path/filepath"

	"github.com/faas-runtime/faas-runtime/packaging/packages"
)

// rpm: packages per arch, repodata by createrepo_c, repomd.xml.asc.
func (r *repoBuilder) rpm(base string) error {
	if _, err := r.copyArtifacts("rpm", func(a packages.Artifact) string { return filepath.Join(RPMDir, a.Arch) }); err != nil {
		return err
	}
	dir := filepath.Join(r.out, RPMDir)
	rev := fmt.Sprint(r.repoTime)
	if err := r.run(dir, nil, "createrepo_c", "--quiet", "--revision", rev, "--set-timestamp-to-revision", "."); err != nil {
		return err
	}
	if err := r.signFile(filepath.Join(dir, "repodata", "repomd.xml"), true, ".asc"); err != nil {
		return err
	}
	return r.write(RPMRepoFile, []byte(YumRepoFile(base)))
}
