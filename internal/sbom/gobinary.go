package sbom

import (
	"bytes"
	"debug/buildinfo"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"path"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
)

// Binary describes one Go binary: the file, its main module, the Go
// standard library it was built with and every dependency module, with
// versions, go.sum checksums and package URLs (as syft reports them).
func Binary(name string, data []byte, o Options) (*spdx.Document, error) {
	b := newDoc(path.Base(name), o)
	root := b.id("Package", path.Base(name))
	b.pkg(&spdx.Package{
		PackageName: path.Base(name), PackageSPDXIdentifier: root, PackageFileName: name, PackageVersion: o.Version,
		PackageChecksums:      []common.Checksum{{Algorithm: common.SHA256, Value: sha256Hex(data)}},
		PrimaryPackagePurpose: "APPLICATION", PackageLicenseConcluded: noAssertion, PackageLicenseDeclared: noAssertion,
		PackageCopyrightText: noAssertion,
	})
	ok, err := b.goModules(root, data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !ok {
		return nil, fmt.Errorf("%s: not a Go binary with build info", name)
	}
	return b.finish(root, sha256Hex(data))
}

// goModules adds the modules of a Go binary, each contained in parent.
// It reports false (and adds nothing) for anything that is not a Go
// binary with build info.
func (b *doc) goModules(parent common.ElementID, data []byte) (bool, error) {
	if !bytes.HasPrefix(data, []byte("\x7fELF")) && !bytes.HasPrefix(data, []byte("MZ")) && !bytes.HasPrefix(data, []byte("\xcf\xfa\xed\xfe")) {
		return false, nil
	}
	bi, err := buildinfo.Read(bytes.NewReader(data))
	if err != nil {
		return false, nil // a C binary, a stripped or pre-modules Go binary
	}
	var settings []string
	for _, s := range bi.Settings {
		settings = append(settings, s.Key+"="+s.Value)
	}
	sort.Strings(settings)
	if bi.Main.Path != "" {
		m := b.module(bi.Main, "APPLICATION")
		m.PackageComment = "main module of " + bi.Path + "; build settings: " + strings.Join(settings, " ")
		b.rel(parent, "CONTAINS", m.PackageSPDXIdentifier)
	}
	gov := strings.TrimPrefix(bi.GoVersion, "go")
	std := b.pkg(&spdx.Package{
		PackageName: "stdlib", PackageSPDXIdentifier: b.id("Package", "go-stdlib-"+gov), PackageVersion: bi.GoVersion,
		PackageDownloadLocation: "https://go.dev/dl/", PrimaryPackagePurpose: "LIBRARY",
		PackageLicenseDeclared: "BSD-3-Clause", PackageLicenseConcluded: noAssertion, PackageCopyrightText: noAssertion,
		PackageExternalReferences: []*spdx.PackageExternalReference{purl("pkg:golang/stdlib@" + gov)},
	})
	b.rel(parent, "CONTAINS", std.PackageSPDXIdentifier)
	for _, dep := range bi.Deps {
		p := b.module(*dep, "LIBRARY")
		b.rel(parent, "CONTAINS", p.PackageSPDXIdentifier)
	}
	return true, nil
}

// module is one Go module; a replaced module is described by its
// replacement (that is what went into the binary).
func (b *doc) module(m debugModule, purpose string) *spdx.Package {
	src := m
	if m.Replace != nil {
		src = *m.Replace
	}
	// The download location is NOASSERTION (set by pkg): a module comes
	// from whichever GOPROXY the build used, and its purl identifies it.
	p := &spdx.Package{
		PackageName: m.Path, PackageSPDXIdentifier: b.id("Package", "go-module-"+m.Path), PackageVersion: src.Version,
		PrimaryPackagePurpose: purpose, PackageLicenseConcluded: noAssertion, PackageLicenseDeclared: noAssertion,
		PackageCopyrightText: noAssertion,
	}
	if src.Version != "" && src.Version != "(devel)" {
		p.PackageExternalReferences = []*spdx.PackageExternalReference{purl("pkg:golang/" + src.Path + "@" + purlVersion(src.Version))}
	} else {
		p.PackageExternalReferences = []*spdx.PackageExternalReference{purl("pkg:golang/" + src.Path)}
	}
	if m.Replace != nil {
		p.PackageComment = "replaced by " + src.Path + " " + src.Version
	}
	// go.sum's h1: is base64 of a SHA-256 (over the module's file list);
	// syft reports it the same way, as a SHA256 checksum.
	if h, ok := strings.CutPrefix(src.Sum, "h1:"); ok {
		if raw, err := base64.StdEncoding.DecodeString(h); err == nil && len(raw) == 32 {
			p.PackageChecksums = []common.Checksum{{Algorithm: common.SHA256, Value: hex.EncodeToString(raw)}}
		}
	}
	return b.pkg(p)
}

type debugModule = debug.Module

// purlVersion percent-encodes a version the way the purl spec (and syft)
// do: "v29.8.2+incompatible" is "v29.8.2%2Bincompatible".
func purlVersion(v string) string {
	return strings.ReplaceAll(url.PathEscape(v), "+", "%2B")
}

func purl(s string) *spdx.PackageExternalReference {
	return &spdx.PackageExternalReference{Category: "PACKAGE-MANAGER", RefType: "purl", Locator: s}
}
