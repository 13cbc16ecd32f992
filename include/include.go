// Package include holds the C headers of the sharedlib ABI, faas/function.h,
// where C compilers find them (-Iinclude) and the faas-runtime-sharedlib
// package takes them from (/usr/include/faas). runtime-init embeds them, so
// a scaffolded C project gets this very file rather than a copy.
package include

import "embed"

// FS is the header tree as committed (faas/function.h).
//
//go:embed faas
var FS embed.FS
