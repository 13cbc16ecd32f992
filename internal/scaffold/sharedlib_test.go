package scaffold

import (
	"strings"
	"testing"
)

// --mode sharedlib gets a specific answer naming the bases that work, on
// every base, instead of a bare "unknown value".
func TestSharedlibModeNamesGlibcBases(t *testing.T) {
	for _, base := range Bases {
		o := Options{Name: "hello", Base: base, Arch: "amd64", Mode: "sharedlib", Lang: "rust"}
		err := o.Validate()
		if err == nil {
			t.Fatalf("--base %s --mode sharedlib was accepted", base)
		}
		for _, want := range []string{"ubi-minimal", "ubi-micro", "distroless cc", "not alpine", "faas-runtime-sharedlib"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("--base %s: %q lacks %q", base, err, want)
			}
		}
	}
}
