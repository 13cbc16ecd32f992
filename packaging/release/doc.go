// Package release holds the checks of .goreleaser.yaml: that GoReleaser
// accepts it, that a snapshot release produces every artifact, and that its
// nfpms agree with packaging/meta (the one source of package metadata).
package release
