package repo

import (
	"fmt"
	"os/exec"
	"strings"
)

// tools are the programs each format's repository metadata is made with,
// and the Debian package that has each.
var tools = map[string][]struct{ cmd, debian string }{
	"rpm":       {{"createrepo_c", "createrepo-c"}},
	"deb":       {{"apt-ftparchive", "apt-utils"}},
	"archlinux": {{"repo-add", "pacman-package-manager"}},
	"msys2":     {{"repo-add", "pacman-package-manager"}},
}

// CheckTools reports every program the formats' repositories need that is
// not in PATH, so that `faas-pkg repo` stops before minutes of package
// builds rather than after them.
func CheckTools(formats []string) error {
	var missing, debs []string
	seen := map[string]bool{}
	for _, f := range formats {
		for _, t := range tools[f] {
			if seen[t.cmd] {
				continue
			}
			seen[t.cmd] = true
			if _, err := exec.LookPath(t.cmd); err != nil {
				missing, debs = append(missing, t.cmd), append(debs, t.debian)
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("the repositories need %s, not found in PATH (Debian: apt-get install %s; make deps installs them)",
		strings.Join(missing, ", "), strings.Join(debs, " "))
}
