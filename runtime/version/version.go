// Package version holds the release version, stamped at link time with
// -ldflags "-X github.com/faas-runtime/faas-runtime/runtime/version.Version=...".
package version

// Version is the release version; "dev" for untagged builds.
var Version = "dev"
