package repo

import (
	"fmt"
	"strings"
)

// DefaultBaseURL is where the published repository is served from (GitHub
// Pages of the project); override with --base-url or FAAS_REPO_URL.
const DefaultBaseURL = "https://faas-runtime.github.io/faas-runtime"

// Paths inside the repository tree, relative to its root.
const (
	RPMDir       = "rpm"
	RPMKey       = "rpm/RPM-GPG-KEY-faas-runtime"
	RPMRepoFile  = "rpm/faas-runtime.repo"
	DebDir       = "deb"
	DebKeyring   = "deb/faas-runtime-archive-keyring.gpg"
	DebSuite     = "stable"
	DebComponent = "main"
	AlpineDir    = "alpine"
	ArchDir      = "archlinux"
	MSYS2Dir     = "msys2"        // then the environment: msys2/ucrt64, msys2/clangarm64
	PacmanRepo   = "faas-runtime" // the [section] of pacman.conf and the .db name
	PGPPublicKey = "faas-runtime.asc"
	HomebrewDir  = "homebrew"
	ManifestName = "REPO.json"
)

func trim(base string) string { return strings.TrimRight(base, "/") }

// RPMKeyPath is where the OpenPGP key is installed (pinned, its fingerprint
// checked) before the .repo file: microdnf (libdnf's C API) never imports
// a gpgkey=http(s)://… and then fails on repomd.xml's signature
// (libdnf#1672), so the .repo names the key by file://.
const RPMKeyPath = "/etc/pki/rpm-gpg/RPM-GPG-KEY-faas-runtime"

// YumRepoFile is the /etc/yum.repos.d/faas-runtime.repo for a repository at
// base; the key is expected at RPMKeyPath.
func YumRepoFile(base string) string {
	return fmt.Sprintf(`[faas-runtime]
name=faas-runtime
baseurl=%s/%s
enabled=1
gpgcheck=1
repo_gpgcheck=1
gpgkey=file://%s
`, trim(base), RPMDir, RPMKeyPath)
}

// AptSourcesLine is the one-line apt source (/etc/apt/sources.list.d/faas-runtime.list).
func AptSourcesLine(base string) string {
	return fmt.Sprintf("deb [signed-by=/etc/apt/keyrings/faas-runtime-archive-keyring.gpg] %s/%s %s %s\n",
		trim(base), DebDir, DebSuite, DebComponent)
}

// ApkRepository is the line for /etc/apk/repositories (apk appends /<arch>/APKINDEX.tar.gz).
func ApkRepository(base string) string { return trim(base) + "/" + AlpineDir }

// PacmanSection is the pacman.conf section for Arch Linux (msys2Env "") or
// an MSYS2 environment (ucrt64, clangarm64).
func PacmanSection(base, msys2Env string) string {
	server := trim(base) + "/" + ArchDir + "/$arch"
	if msys2Env != "" {
		server = trim(base) + "/" + MSYS2Dir + "/" + msys2Env
	}
	return fmt.Sprintf("[%s]\nSigLevel = Required DatabaseRequired\nServer = %s\n", PacmanRepo, server)
}
