// Package meta is the single source of truth for package metadata: the
// project-wide fields (homepage, license, maintainer) and a registry of
// packages. Each package is one Register call in its own file (nfpm-style:
// registered from init), so adding a package is adding one file here.
package meta

import (
	"fmt"
	"os"
	"sort"
	"sync"
)

// Project holds the fields every package shares.
var Project = struct {
	Name, Module, Homepage, License, Maintainer, Vendor string
	// Repo is the GitHub owner/name; source archives are published as its release assets.
	Repo string
}{
	Name:       "faas-runtime",
	Module:     "github.com/faas-runtime/faas-runtime",
	Homepage:   "https://github.com/faas-runtime/faas-runtime",
	License:    "MIT",
	Maintainer: "faas-runtime maintainers <maintainers@faas-runtime.dev>",
	Vendor:     "faas-runtime",
	Repo:       "faas-runtime/faas-runtime",
}

// Kind says where a packaged file comes from.
type Kind int

const (
	// Binary is a Go main package (Src, e.g. "./cmd/faas-runtime") built for the target.
	Binary Kind = iota
	// Source is a file of the source tree (Src is repository-relative).
	Source
	// Generated is produced by a generator registered in packaging/packages (Src is its name).
	Generated
)

// File is one file in a package. Dst is the absolute path on a Linux system;
// formats with another prefix (MSYS2's /ucrt64, /clangarm64) re-root it.
type File struct {
	Kind Kind
	Src  string
	Dst  string
	Mode os.FileMode
	// Doc marks documentation (rpm %doc, excluded from nothing else).
	Doc bool
}

// Package is one package, built in every listed format for every listed arch.
type Package struct {
	Name    string
	Summary string // one line, under 80 characters
	// Description is the long description (a paragraph).
	Description string
	Formats     []string // rpm, deb, apk, archlinux, msys2
	Arches      []string // Go spelling: amd64, arm64
	// Files besides the license and docs, which every package gets in each
	// format's standard place. Extra files (headers, configs) go here.
	Files []File
	// BuildEnv is added to `go build`'s environment for this package's binaries
	// (default CGO_ENABLED=0), one variable an element.
	BuildEnv []string
	// Depends lists package dependencies per format (the names differ:
	// libc6 on Debian, glibc on rpm and Arch).
	Depends map[string][]string
	// Section is the Debian section; Group the rpm group.
	Section string
}

// Standard files of every package.
const (
	LicenseFile = "LICENSE"
	ReadmeFile  = "README.md"
)

var (
	mu       sync.Mutex
	registry = map[string]Package{}
)

// Register adds a package; a second package with the same name panics (a
// programming error, caught by any test).
func Register(p Package) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[p.Name]; dup {
		panic(fmt.Sprintf("meta: package %q registered twice", p.Name))
	}
	registry[p.Name] = p
}

// Packages returns every registered package, sorted by name.
func Packages() []Package {
	mu.Lock()
	defer mu.Unlock()
	out := make([]Package, 0, len(registry))
	for _, p := range registry {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get returns the package named name.
func Get(name string) (Package, bool) {
	mu.Lock()
	defer mu.Unlock()
	p, ok := registry[name]
	return p, ok
}

// Has reports whether p is built in format.
func (p Package) Has(format string) bool {
	for _, f := range p.Formats {
		if f == format {
			return true
		}
	}
	return false
}
