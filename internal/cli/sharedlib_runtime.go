package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/faas-runtime/faas-runtime/runtime/modes"
)

// SharedlibRuntime is the glibc build of the runtime that has sharedlib mode.
const SharedlibRuntime = "faas-runtime-sharedlib"

// wantsSharedlib tells whether the bootstrap will run handler in sharedlib
// mode: --mode when given, else the bootstrap's own inference.
func wantsSharedlib(mode, handler string) bool {
	if mode != "" {
		n, _ := modes.Parse(mode)
		return n == modes.Sharedlib
	}
	return modes.Infer(handler, os.Getenv) == modes.Sharedlib
}

// findSharedlibRuntime looks for faas-runtime-sharedlib next to
// runtime-init (bin/ of a build, /usr/bin of the packages), then in PATH.
func findSharedlibRuntime() (string, error) {
	var dir string
	if self, err := os.Executable(); err == nil {
		dir = filepath.Dir(self)
		p := filepath.Join(dir, SharedlibRuntime)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	if p, err := exec.LookPath(SharedlibRuntime); err == nil {
		return filepath.Abs(p)
	}
	return "", fmt.Errorf("a shared-library function needs %s (the glibc build of faas-runtime), found neither next to runtime-init (%s) nor in PATH: "+
		"install the %s package (rpm, deb, archlinux), run `make sharedlib`, or pass --runtime /path/to/%s", SharedlibRuntime, dir, SharedlibRuntime, SharedlibRuntime)
}
