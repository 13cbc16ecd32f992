package scaffold

import (
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/runtime/version"
)

// A runtime-init built between tags (0.1.1-pre.3) pins the faas-runtime
// package of its own version, spelled as the base's package manager spells
// it, or the install line finds nothing; a dev build pins nothing (the
// newest). The real clients install such pins in packaging/repo's
// TestHistoryPrereleasePins.
func TestDockerfilePinsEachFormatsSpelling(t *testing.T) {
	saved := version.Version
	t.Cleanup(func() { version.Version = saved })
	for _, c := range []struct{ runtimeInit, base, want string }{
		{"0.1.1-pre.3", "ubi-minimal", "0.1.1~pre.3"},
		{"0.1.1-pre.3", "ubi-micro", "0.1.1~pre.3"},
		{"0.1.1-pre.3", "distroless", "0.1.1~pre.3"},
		{"0.1.1-pre.3", "alpine", "0.1.1_pre3"},
		{"1.2.0", "alpine", "1.2.0"},
		{"dev", "distroless", ""},
	} {
		version.Version = c.runtimeInit
		o := Options{Name: "hello", Base: c.base, Arch: "amd64", Mode: "exec", Lang: "script", Keys: testKeys()}
		if c.base == "distroless" {
			o.Lang = "go"
		}
		files, err := Render(o)
		if err != nil {
			t.Fatalf("%s on %s: %v", c.runtimeInit, c.base, err)
		}
		var dockerfile string
		for _, f := range files {
			if f.Path == "Dockerfile" {
				dockerfile = string(f.Data)
			}
		}
		if want := "ARG FAAS_RUNTIME_VERSION=" + c.want + "\n"; !strings.Contains(dockerfile, want) {
			t.Errorf("runtime-init %s, base %s: Dockerfile lacks %q", c.runtimeInit, c.base, strings.TrimSpace(want))
		}
	}
}
