//go:build linux

// Package sharedlib runs sharedlib mode the way users get it: the C and
// Rust examples in a glibc image built with buildah and run by podman, the
// faas-runtime-sharedlib packages faas-pkg makes (their header compiles a
// library their binary runs), and the arm64 build under qemu-user.
// runtime/modes/sharedlib's own tests test that package in process.
package sharedlib

import (
	"os"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil/sharedlibtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	sharedlibtest.Cleanup()
	os.Exit(code)
}
