package sbom

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/faas-runtime/faas-runtime/internal/pkgfile"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
)

// Kinds of file Package describes: the package formats of pkgfile, and
// zips.
const (
	KindDeb  = pkgfile.KindDeb
	KindRPM  = pkgfile.KindRPM
	KindAPK  = pkgfile.KindAPK
	KindArch = pkgfile.KindArch // .pkg.tar.zst, also MSYS2's
	KindZip  = "zip"            // a Lambda layer or function zip
)

// PackageKind names the package format of a file, or "" for none.
func PackageKind(name string) string {
	if strings.HasSuffix(name, ".zip") {
		return KindZip
	}
	return pkgfile.Kind(name)
}

// entry is one regular file of a package's payload.
type entry struct {
	name string
	data []byte
}

// Package describes a package file: the package (name, version and
// architecture from its own metadata, a package URL, the file's SHA256),
// every regular file it installs with SHA1 and SHA256, and the Go modules
// of the binaries among them.
func Package(file string, o Options) (*spdx.Document, error) {
	kind := PackageKind(file)
	if kind == "" {
		return nil, fmt.Errorf("%s: not a package (.deb, .rpm, .apk, .pkg.tar.*, .zip)", file)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var m pkgfile.Meta
	var files []entry
	if kind == KindZip {
		m, files, err = readZip(raw, filepath.Base(file), o.Version)
	} else {
		m, err = pkgfile.Walk(file, func(name string, data []byte) error {
			files = append(files, entry{"/" + name, data})
			return nil
		})
		if err == nil && m.Name == "" {
			err = fmt.Errorf("%s: no package name in its metadata", file)
		}
	}
	if err != nil {
		return nil, err
	}
	base := filepath.Base(file)
	b := newDoc(base, o)
	root := b.id("Package", m.Name)
	p := b.pkg(&spdx.Package{
		PackageName: m.Name, PackageSPDXIdentifier: root, PackageVersion: m.Version, PackageFileName: base,
		PackageChecksums:      []common.Checksum{{Algorithm: common.SHA256, Value: sha256Hex(raw)}},
		PrimaryPackagePurpose: "INSTALL", FilesAnalyzed: true, PackageLicenseConcluded: noAssertion,
		PackageLicenseDeclared: noAssertion, PackageCopyrightText: noAssertion,
		PackageExternalReferences: []*spdx.PackageExternalReference{purl(packageURL(kind, base, m))},
	})
	var added []*spdx.File
	for _, e := range files {
		f := b.file(e.name, e.data)
		added = append(added, f)
		b.rel(root, "CONTAINS", f.FileSPDXIdentifier)
		if _, err := b.goModules(f.FileSPDXIdentifier, e.data); err != nil {
			return nil, err
		}
	}
	if len(added) > 0 {
		p.PackageVerificationCode = verificationCode(added)
	}
	return b.finish(root, sha256Hex(raw))
}

// packageURL follows the purl types: deb, rpm, apk, alpm (archlinux;
// MSYS2's packages, named *-x86_64.pkg.tar.zst for mingw, are alpm too).
func packageURL(kind, file string, m pkgfile.Meta) string {
	if kind == KindZip {
		return "pkg:generic/" + m.Name + "@" + purlVersion(m.Version)
	}
	typ := map[string]string{KindDeb: "deb", KindRPM: "rpm", KindAPK: "apk", KindArch: "alpm"}[kind]
	u := "pkg:" + typ + "/faas-runtime/" + m.Name + "@" + purlVersion(m.Version)
	if m.Arch != "" {
		u += "?arch=" + m.Arch
	}
	return u
}

// readZip reads a zip's files; its name is the file name without .zip.
func readZip(raw []byte, base, version string) (pkgfile.Meta, []entry, error) {
	m := pkgfile.Meta{Name: strings.TrimSuffix(base, ".zip"), Version: version}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return m, nil, err
	}
	var files []entry
	for _, f := range zr.File {
		if !f.Mode().IsRegular() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return m, nil, err
		}
		d, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return m, nil, err
		}
		files = append(files, entry{path.Clean("/" + f.Name), d})
	}
	return m, files, nil
}
