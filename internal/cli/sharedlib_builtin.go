//go:build darwin || windows

package cli

// On macOS and Windows runtime-init is not static anyway, so its built-in
// runtime loads .dylib/.dll functions itself through purego.
import _ "github.com/faas-runtime/faas-runtime/runtime/modes/sharedlib"

const builtinSharedlib = true
