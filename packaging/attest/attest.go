// Package attest adds to a finished release directory (faas-pkg's
// dist/packages) what lets a user check it: an SPDX SBOM next to every
// package, binary and layer zip (<file>.spdx.json, the names GoReleaser's
// sboms: section uses), SHA256SUMS over every artifact and SBOM, and
// SHA256SUMS.asc, its detached ASCII-armored OpenPGP signature by the
// release key (GoReleaser's signs: section makes the same file).
// docs/verify.md has the commands that check them.
package attest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/sbom"
	"github.com/faas-runtime/faas-runtime/packaging/packages"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// File names, shared with .goreleaser.yaml (a test keeps them in step).
const (
	Checksums     = "SHA256SUMS"
	Signature     = "SHA256SUMS.asc"
	SBOMExtension = ".spdx.json"
)

// sbomKinds are the artifact kinds that get an SBOM; the source archive and
// the recipes are text a user reads.
var sbomKinds = map[string]bool{
	"rpm": true, "deb": true, "apk": true, "archlinux": true, "msys2": true, "layer": true, "binary": true,
}

// Write writes the SBOMs, SHA256SUMS and SHA256SUMS.asc into dir for the
// artifacts of res, and returns the SBOMs' paths relative to dir.
func Write(dir string, res *packages.Result, keys *signing.Keys, log io.Writer) ([]string, error) {
	if log == nil {
		log = io.Discard
	}
	o := sbom.Options{Created: time.Unix(res.SourceDateEpoch, 0).UTC(), Tool: "faas-pkg-" + res.Version, Version: res.Version}
	var sums []string
	var sboms []string
	for _, a := range res.Files {
		p := filepath.Join(dir, filepath.FromSlash(a.Path))
		if !sbomKinds[a.Kind] {
			continue
		}
		raw, err := sbomOf(p, a.Path, a.Kind, o)
		if err != nil {
			return nil, fmt.Errorf("sbom of %s: %w", a.Path, err)
		}
		rel := a.Path + SBOMExtension
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), raw, 0o644); err != nil {
			return nil, err
		}
		sboms = append(sboms, rel)
	}
	for _, rel := range append(paths(res), sboms...) {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return nil, err
		}
		h := sha256.Sum256(data)
		sums = append(sums, hex.EncodeToString(h[:])+"  "+filepath.ToSlash(rel))
	}
	sort.Slice(sums, func(i, j int) bool { return sums[i][66:] < sums[j][66:] })
	body := []byte(strings.Join(sums, "\n") + "\n")
	if err := os.WriteFile(filepath.Join(dir, Checksums), body, 0o644); err != nil {
		return nil, err
	}
	// Signed at SOURCE_DATE_EPOCH: the same release, the same signature.
	k := *keys
	k.Time = o.Created
	sig, err := k.DetachSign(bytes.NewReader(body), true)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, Signature), sig, 0o644); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "%s: %d files (%d SBOMs), signed by %s\n", Checksums, len(sums), len(sboms), keys.Fingerprint())
	return sboms, nil
}

func paths(res *packages.Result) []string {
	var out []string
	for _, a := range res.Files {
		out = append(out, a.Path)
	}
	return out
}

// sbomOf describes one artifact; rel (the path in the release) names a
// binary, whose file name alone is not unique across arches.
func sbomOf(path, rel, kind string, o sbom.Options) ([]byte, error) {
	if kind == "binary" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		d, err := sbom.Binary(rel, data, o)
		if err != nil {
			return nil, err
		}
		return sbom.Marshal(d)
	}
	d, err := sbom.Package(path, o)
	if err != nil {
		return nil, err
	}
	return sbom.Marshal(d)
}

// SignFile writes sig, the detached ASCII-armored signature of file by the
// release key, the form of SHA256SUMS.asc. GoReleaser's signs: section
// calls it (faas-pkg sign) for its own checksum file, so both releases are
// signed by one key in one format.
func SignFile(file, sig string, keys *signing.Keys, at time.Time) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	k := *keys
	k.Time = at
	s, err := k.DetachSign(f, true)
	if err != nil {
		return err
	}
	return os.WriteFile(sig, s, 0o644)
}
