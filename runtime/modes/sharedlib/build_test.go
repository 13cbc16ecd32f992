//go:build linux

package sharedlib_test

import (
	"debug/buildinfo"
	"debug/elf"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/testutil/sharedlibtest"
)

// The default faas-runtime must stay static and free of purego; the
// sharedlib build is the one linked against glibc.
func TestBuildsLinkage(t *testing.T) {
	shared, static := sharedlibtest.Runtimes(t)
	for _, c := range []struct {
		bin     string
		dynamic bool
	}{{static, false}, {shared, true}} {
		f, err := elf.Open(c.bin)
		if err != nil {
			t.Fatal(err)
		}
		interp := false
		for _, p := range f.Progs {
			interp = interp || p.Type == elf.PT_INTERP
		}
		libs, _ := f.ImportedLibraries()
		f.Close()
		bi, err := buildinfo.ReadFile(c.bin)
		if err != nil {
			t.Fatal(err)
		}
		purego := false
		for _, d := range bi.Deps {
			purego = purego || d.Path == "github.com/ebitengine/purego"
		}
		if interp != c.dynamic || purego != c.dynamic {
			t.Errorf("%s: dynamic=%v (libs %v) purego=%v, want both %v", c.bin, interp, libs, purego, c.dynamic)
		}
		if c.dynamic && !strings.Contains(strings.Join(libs, " "), "libc.so.6") {
			t.Errorf("%s links %v, want glibc's libc.so.6", c.bin, libs)
		}
	}
}

// The static build refuses a library with the message that names the
// package and the bases that have glibc.
func TestStaticBuildRefusesSharedlib(t *testing.T) {
	_, static := sharedlibtest.Runtimes(t)
	sb, _, allowNone := sharedlibtest.Start(t, []string{static, sharedlibtest.TestLib(t, "testfn.so")})
	res := sharedlibtest.Invoke(t, sb, "{}")
	allowNone[res.RequestID] = true
	ie := sb.Emulator().InitError()
	if res.Outcome != emulator.OutcomeInitError || ie == nil {
		t.Fatalf("got %s %s, want an init error", res.Outcome, res.Body)
	}
	for _, want := range []string{"faas-runtime-sharedlib", "ubi-minimal", "distroless", "alpine"} {
		if !strings.Contains(ie.Message, want) {
			t.Errorf("init error %q does not mention %q", ie.Message, want)
		}
	}
}
