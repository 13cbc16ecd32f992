package repo

import (
	"fmt"
	"strings"
)

// readme: README.txt, how to point each client at the repository.
func (r *repoBuilder) readme(base string) error {
	var b strings.Builder
	var vs []string
	for _, rel := range r.releases {
		vs = append(vs, rel.Version)
	}
	fmt.Fprintf(&b, "faas-runtime %s package repository (served from %s)\nreleases: %s\n\n", r.newest().Version, base, strings.Join(vs, " "))
	if r.keys.Throwaway {
		b.WriteString("WARNING: signed with THROWAWAY keys; for testing only.\n\n")
	}
	fmt.Fprintf(&b, "OpenPGP key fingerprint: %s\napk key: %s/%s\n\n", r.keys.Fingerprint(), AlpineDir, r.keys.APKName)
	fmt.Fprintf(&b, "rpm (/etc/yum.repos.d/faas-runtime.repo):\n%s\n", YumRepoFile(base))
	fmt.Fprintf(&b, "apt (/etc/apt/sources.list.d/faas-runtime.list, key %s):\n%s\n", DebKeyring, AptSourcesLine(base))
	fmt.Fprintf(&b, "apk (/etc/apk/repositories):\n%s\n\n", ApkRepository(base))
	fmt.Fprintf(&b, "pacman (Arch Linux):\n%s\npacman (MSYS2 UCRT64):\n%s\npacman (MSYS2 CLANGARM64):\n%s",
		PacmanSection(base, ""), PacmanSection(base, "ucrt64"), PacmanSection(base, "clangarm64"))
	return r.write("README.txt", []byte(b.String()))
}
