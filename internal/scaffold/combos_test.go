package scaffold

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/scaffold/trust"
)

// testCases are every valid combination, plus the --debug variant of each
// base, with the version and repository fixed so that golden files do not
// depend on the build.
func testCases() []Options {
	var out []Options
	for _, o := range Combinations() {
		out = append(out, fixed(o))
	}
	for _, b := range Bases {
		o := Options{Name: "hello", Base: b, Arch: "arm64", Mode: "exec", Lang: "go", Debug: true}
		if b == "alpine" {
			o.Lang = "script"
		}
		out = append(out, fixed(o))
	}
	// sharedlib's debug variants: distroless cc :debug-nonroot, and
	// ubi-micro's whole root filesystem.
	out = append(out,
		fixed(Options{Name: "hello", Base: "distroless", Arch: "arm64", Mode: "sharedlib", Lang: "c", Debug: true}),
		fixed(Options{Name: "hello", Base: "ubi-micro", Arch: "amd64", Mode: "sharedlib", Lang: "rust", Debug: true}))
	return out
}

func fixed(o Options) Options {
	o.RuntimeVersion = "1.2.3"
	o.RepoURL = "https://repo.example.com/faas-runtime"
	o.Keys = testKeys()
	return o
}

// testKeys are the public halves of two keys made for the golden files
// only (testdata/keys); nothing is signed with them.
var testKeys = sync.OnceValue(func() *trust.Keys {
	k, err := trust.FromFiles([]string{
		filepath.Join("testdata", "keys", trust.RPMKeyName),
		filepath.Join("testdata", "keys", trust.DefaultAPKKeyName),
	})
	if err != nil {
		panic(err)
	}
	return k
})

func caseName(o Options) string {
	s := fmt.Sprintf("%s.%s.%s.%s", o.Base, o.Arch, o.Mode, o.Lang)
	if o.Debug {
		s += ".debug"
	}
	return s
}

func render(t *testing.T, o Options) map[string]File {
	t.Helper()
	files, err := Render(o)
	if err != nil {
		t.Fatalf("%s: %v", caseName(o), err)
	}
	m := map[string]File{}
	for _, f := range files {
		m[f.Path] = f
	}
	return m
}

func TestCombinationCount(t *testing.T) {
	// exec and http: 5 bases × 2 arches × 2 modes × 4 languages (not c)
	// = 80, less script on distroless (4) and script in http mode elsewhere
	// (8) = 68. sharedlib: 3 glibc bases × 2 arches × c, rust, prebuilt = 18.
	if n := len(Combinations()); n != 86 {
		t.Fatalf("%d valid combinations, want 86", n)
	}
}
