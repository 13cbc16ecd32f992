package modes_test

import (
	"testing"

	"github.com/faas-runtime/faas-runtime/runtime/modes"
)

func TestInferLibraryNames(t *testing.T) {
	none := func(string) string { return "" }
	for h, want := range map[string]modes.Name{
		"libz.so": modes.Sharedlib, "libz.so.1": modes.Sharedlib, "/opt/lib/libfoo.so.1.2.3": modes.Sharedlib,
		"fn.DLL": modes.Sharedlib, "fn.dylib": modes.Sharedlib,
		"handler.sh": modes.Exec, "libz.so.x": modes.Exec, "so.1": modes.Exec, ".so.1": modes.Exec, "libz.so.": modes.Exec, "bootstrap": modes.Exec,
	} {
		if got := modes.Infer(h, none); got != want {
			t.Errorf("Infer(%q) = %s, want %s", h, got, want)
		}
	}
}
