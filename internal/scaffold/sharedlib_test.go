package scaffold

import (
	"strings"
	"testing"
)

// Every sharedlib refusal says why and what works instead.
func TestSharedlibRefusals(t *testing.T) {
	for _, c := range []struct {
		o    Options
		want []string
	}{
		{Options{Base: "alpine", Lang: "c"}, []string{"needs a glibc base", "alpine has none", "ubi-minimal, ubi-micro, distroless", "distroless cc", "not static"}},
		{Options{Base: "alpine", Lang: "prebuilt"}, []string{"needs a glibc base", "ubi-minimal, ubi-micro, distroless"}},
		{Options{Base: "ubi-minimal", Lang: "go"}, []string{"cannot host Go", "second Go runtime", "--mode exec or http for Go", "--lang c, rust or prebuilt"}},
		{Options{Base: "distroless", Lang: "script"}, []string{"a script is not one", "--lang c, rust or prebuilt"}},
		{Options{Base: "distroless", Lang: "rust", Images: map[string]string{"BASE_IMAGE": "gcr.io/distroless/static-debian12:nonroot"}}, []string{"needs glibc", "distroless static has none", "cc-debian12"}},
	} {
		o := c.o
		o.Name, o.Arch, o.Mode = "hello", "amd64", "sharedlib"
		err := o.Validate()
		if err == nil {
			t.Errorf("%+v was accepted", o)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: %q lacks %q", o, err, w)
			}
		}
	}
	// C is scaffolded as a library only.
	err := Options{Name: "hello", Base: "ubi-minimal", Arch: "amd64", Mode: "exec", Lang: "c"}.Validate()
	if err == nil || !strings.Contains(err.Error(), "--lang c is scaffolded for --mode sharedlib only") {
		t.Errorf("--lang c --mode exec: %v", err)
	}
	// The glibc bases are offered, with each sharedlib language.
	for _, b := range SharedlibBases {
		for _, l := range []string{"c", "rust", "prebuilt"} {
			if err := (Options{Name: "hello", Base: b, Arch: "arm64", Mode: "sharedlib", Lang: l}).Validate(); err != nil {
				t.Errorf("%s %s: %v", b, l, err)
			}
		}
	}
}

// distroless means distroless cc (glibc) for sharedlib, static otherwise.
func TestSharedlibDistrolessIsCC(t *testing.T) {
	for _, c := range []struct {
		mode  string
		debug bool
		want  string
	}{
		{"sharedlib", false, "gcr.io/distroless/cc-debian12:nonroot"},
		{"sharedlib", true, "gcr.io/distroless/cc-debian12:debug-nonroot"},
		{"exec", false, "gcr.io/distroless/static-debian12:nonroot"},
	} {
		o := Options{Name: "hello", Base: "distroless", Arch: "amd64", Mode: c.mode, Lang: "prebuilt", Debug: c.debug}
		if got := ImagesFor(o)["BASE_IMAGE"]; got != c.want {
			t.Errorf("%s debug=%v: BASE_IMAGE %s, want %s", c.mode, c.debug, got, c.want)
		}
	}
}
