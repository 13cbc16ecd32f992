//go:build !(darwin || windows)

package cli

// On Linux runtime-init stays static (it must run on any base and in CI
// images), so it cannot load libraries: it runs faas-runtime-sharedlib.
const builtinSharedlib = false
