// Package images holds runtime-init scaffold's templates, embedded in the
// binary: one Dockerfile template per base under dockerfile/, named
// <base>.Dockerfile.tmpl, with the modes' differences as blocks in it and
// the text several bases share as defines in dockerfile/shared.tmpl; and the
// rest of the generated project under project/ (common/, mode/<mode>/,
// lang/<lang>/any/ and lang/<lang>/<mode>/, each mirrored into the project
// with ".tmpl" dropped).
//
// They are text/template files kept readable on their own: a reviewer opens
// distroless.Dockerfile.tmpl and sees the Dockerfile's stages in order.
package images

import "embed"

// FS is the template tree. "all:" keeps dot files such as .dockerignore.tmpl.
//
//go:embed dockerfile all:project
var FS embed.FS
