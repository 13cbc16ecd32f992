package packages

import (
	"fmt"
	"sort"
	"strings"

	"github.com/faas-runtime/faas-runtime/packaging/meta"
)

// Formats are the package formats this tool builds.
var Formats = []string{"rpm", "deb", "apk", "archlinux", "msys2"}

// Arches are the Linux architectures, in Go's spelling.
var Arches = []string{"amd64", "arm64"}

// archNames spells each Go arch the way each format does.
var archNames = map[string]map[string]string{
	"rpm":       {"amd64": "x86_64", "arm64": "aarch64"},
	"deb":       {"amd64": "amd64", "arm64": "arm64"},
	"apk":       {"amd64": "x86_64", "arm64": "aarch64"},
	"archlinux": {"amd64": "x86_64", "arm64": "aarch64"},
	// MSYS2 packages are arch "any"; the environment is in the name and
	// the prefix (MSYS2Envs).
	"msys2": {"amd64": "any", "arm64": "any"},
}

// ArchName is goarch in format's spelling.
func ArchName(format, goarch string) (string, error) {
	m, ok := archNames[format]
	if !ok {
		return "", fmt.Errorf("unknown package format %q (known: %s)", format, strings.Join(Formats, ", "))
	}
	a, ok := m[goarch]
	if !ok {
		return "", fmt.Errorf("%s has no architecture for %q (known: %s)", format, goarch, strings.Join(keys(m), ", "))
	}
	return a, nil
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Target is one package file to build.
type Target struct {
	Pkg    meta.Package
	Format string
	GOOS   string
	GOARCH string
}

// Targets lists what to build, filtered by formats and arches (empty = all);
// unknown names are errors, not silently empty builds.
func Targets(formats, arches []string) ([]Target, error) {
	for _, f := range formats {
		if _, ok := archNames[f]; !ok {
			return nil, fmt.Errorf("unknown package format %q (known: %s)", f, strings.Join(Formats, ", "))
		}
	}
	for _, a := range arches {
		if !contains(Arches, a) {
			return nil, fmt.Errorf("unknown architecture %q (known: %s; Go spelling)", a, strings.Join(Arches, ", "))
		}
	}
	var out []Target
	for _, p := range meta.Packages() {
		for _, f := range p.Formats {
			if len(formats) > 0 && !contains(formats, f) {
				continue
			}
			if f == "msys2" {
				// Windows binaries for MSYS2's UCRT64 (x86_64) and CLANGARM64
				// (Windows on Arm) environments.
				for _, a := range Arches {
					if len(arches) == 0 || contains(arches, a) {
						out = append(out, Target{p, f, "windows", a})
					}
				}
				continue
			}
			for _, a := range p.Arches {
				if len(arches) > 0 && !contains(arches, a) {
					continue
				}
				if _, err := ArchName(f, a); err != nil {
					return nil, fmt.Errorf("package %s: %w", p.Name, err)
				}
				out = append(out, Target{p, f, "linux", a})
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("nothing to build for formats %v and arches %v", formats, arches)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// MSYS2Env is an MSYS2 environment a prebuilt package is made for.
type MSYS2Env struct {
	Name          string // ucrt64: the repository directory and pacman's view
	Prefix        string // /ucrt64: where the files go (MINGW_PREFIX)
	PackagePrefix string // mingw-w64-ucrt-x86_64 (MINGW_PACKAGE_PREFIX)
}

// MSYS2Envs maps a Go arch to its MSYS2 environment.
var MSYS2Envs = map[string]MSYS2Env{
	"amd64": {"ucrt64", "/ucrt64", "mingw-w64-ucrt-x86_64"},
	"arm64": {"clangarm64", "/clangarm64", "mingw-w64-clang-aarch64"},
}

// MSYS2PackageName is pkg's pacman name in goarch's MSYS2 environment.
func MSYS2PackageName(pkg, goarch string) string { return MSYS2Envs[goarch].PackagePrefix + "-" + pkg }
