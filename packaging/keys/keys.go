// Package keys holds faas-runtime's release signing keys, public half only,
// as committed in release/: RPM-GPG-KEY-faas-runtime (the OpenPGP key that
// signs the rpm and apt repositories, armored) and NAME.rsa.pub (the RSA
// key that signs the apk repository, PEM). runtime-init embeds them, so a
// scaffolded project pins them without downloading anything.
//
// No release keys are published yet: release/ holds only its README, and
// runtime-init scaffold then asks for --repo-key or --repo-url.
package keys

import "embed"

// FS is release/ as committed.
//
//go:embed release
var FS embed.FS

// Dir is FS's directory of key files.
const Dir = "release"
