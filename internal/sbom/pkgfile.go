package sbom

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/sassoftware/go-rpmutils"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/ulikunitz/xz"
)

// Kinds of package file, told apart by name.
const (
	KindDeb  = "deb"
	KindRPM  = "rpm"
	KindAPK  = "apk"
	KindArch = "archlinux" // .pkg.tar.zst, also MSYS2's
	KindZip  = "zip"       // a Lambda layer or function zip
)

// PackageKind names the package format of a file, or "" for none.
func PackageKind(name string) string {
	switch {
	case strings.HasSuffix(name, ".deb"):
		return KindDeb
	case strings.HasSuffix(name, ".rpm"):
		return KindRPM
	case strings.HasSuffix(name, ".apk"):
		return KindAPK
	case strings.Contains(name, ".pkg.tar."):
		return KindArch
	case strings.HasSuffix(name, ".zip"):
		return KindZip
	}
	return ""
}

// meta is what a package says about itself.
type meta struct{ name, version, arch string }

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
	var m meta
	var files []entry
	switch kind {
	case KindDeb:
		m, files, err = readDeb(raw)
	case KindRPM:
		m, files, err = readRPM(raw)
	case KindZip:
		m, files, err = readZip(raw, filepath.Base(file), o.Version)
	default:
		m, files, err = readTarPackage(raw, kind)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	base := filepath.Base(file)
	b := newDoc(base, o)
	root := b.id("Package", m.name)
	p := b.pkg(&spdx.Package{
		PackageName: m.name, PackageSPDXIdentifier: root, PackageVersion: m.version, PackageFileName: base,
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
func packageURL(kind, file string, m meta) string {
	if kind == KindZip {
		return "pkg:generic/" + m.name + "@" + purlVersion(m.version)
	}
	typ := map[string]string{KindDeb: "deb", KindRPM: "rpm", KindAPK: "apk", KindArch: "alpm"}[kind]
	u := "pkg:" + typ + "/faas-runtime/" + m.name + "@" + purlVersion(m.version)
	if m.arch != "" {
		u += "?arch=" + m.arch
	}
	return u
}

// readZip reads a zip's files; its name is the file name without .zip.
func readZip(raw []byte, base, version string) (meta, []entry, error) {
	m := meta{name: strings.TrimSuffix(base, ".zip"), version: version}
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

// readDeb reads control.tar.* (the control file) and data.tar.* of an ar
// archive.
func readDeb(raw []byte) (meta, []entry, error) {
	var m meta
	var files []entry
	br := bufio.NewReader(bytes.NewReader(raw))
	magic := make([]byte, 8)
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != "!<arch>\n" {
		return m, nil, errors.New("not a .deb (no ar header)")
	}
	hdr := make([]byte, 60)
	for {
		if _, err := io.ReadFull(br, hdr); err == io.EOF {
			break
		} else if err != nil {
			return m, nil, err
		}
		name := strings.TrimSuffix(strings.TrimSpace(string(hdr[0:16])), "/")
		size, err := strconv.ParseInt(strings.TrimSpace(string(hdr[48:58])), 10, 64)
		if err != nil {
			return m, nil, fmt.Errorf("bad ar member size for %s", name)
		}
		body := make([]byte, size)
		if _, err := io.ReadFull(br, body); err != nil {
			return m, nil, err
		}
		if size%2 == 1 {
			br.ReadByte()
		}
		comp := strings.TrimPrefix(path.Ext(name), ".")
		switch {
		case strings.HasPrefix(name, "control.tar"):
			err = walkTar(bytes.NewReader(body), comp, func(n string, d []byte) {
				if n == "control" {
					m = debControl(d)
				}
			})
		case strings.HasPrefix(name, "data.tar"):
			err = walkTar(bytes.NewReader(body), comp, func(n string, d []byte) {
				files = append(files, entry{"/" + n, d})
			})
		}
		if err != nil {
			return m, nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if m.name == "" {
		return m, nil, errors.New("no control file with a Package field")
	}
	return m, files, nil
}

func debControl(d []byte) meta {
	var m meta
	for _, line := range strings.Split(string(d), "\n") {
		k, v, _ := strings.Cut(line, ":")
		switch k {
		case "Package":
			m.name = strings.TrimSpace(v)
		case "Version":
			m.version = strings.TrimSpace(v)
		case "Architecture":
			m.arch = strings.TrimSpace(v)
		}
	}
	return m
}

func readRPM(raw []byte) (meta, []entry, error) {
	var m meta
	rpm, err := rpmutils.ReadRpm(bytes.NewReader(raw))
	if err != nil {
		return m, nil, fmt.Errorf("not an .rpm: %w", err)
	}
	m.name, _ = rpm.Header.GetString(rpmutils.NAME)
	v, _ := rpm.Header.GetString(rpmutils.VERSION)
	r, _ := rpm.Header.GetString(rpmutils.RELEASE)
	m.version = v + "-" + r
	m.arch, _ = rpm.Header.GetString(rpmutils.ARCH)
	pr, err := rpm.PayloadReaderExtended()
	if err != nil {
		return m, nil, err
	}
	var files []entry
	for {
		fi, err := pr.Next()
		if err == io.EOF {
			return m, files, nil
		}
		if err != nil {
			return m, nil, err
		}
		if pr.IsLink() || fi.Mode()&0o170000 != 0o100000 { // regular files only (S_IFREG)
			continue
		}
		d, err := io.ReadAll(pr)
		if err != nil {
			return m, nil, err
		}
		files = append(files, entry{path.Clean("/" + strings.TrimPrefix(fi.Name(), ".")), d})
	}
}

// readTarPackage reads an .apk (gzip streams back to back) or an
// archlinux/MSYS2 .pkg.tar.*: metadata from .PKGINFO, the rest is payload.
func readTarPackage(raw []byte, kind string) (meta, []entry, error) {
	var m meta
	var files []entry
	comp := "gz"
	if kind == KindArch {
		comp = "zst"
		if bytes.HasPrefix(raw, []byte{0xfd, '7', 'z', 'X', 'Z'}) {
			comp = "xz"
		}
	}
	err := walkTar(bytes.NewReader(raw), comp, func(n string, d []byte) {
		switch {
		case n == ".PKGINFO":
			m = pkgInfo(d)
		case strings.HasPrefix(n, ".SIGN.") || n == ".BUILDINFO" || n == ".MTREE" || n == ".INSTALL":
		default:
			files = append(files, entry{"/" + n, d})
		}
	})
	if err != nil {
		return m, nil, err
	}
	if m.name == "" {
		return m, nil, errors.New("no .PKGINFO with a pkgname")
	}
	return m, files, nil
}

func pkgInfo(d []byte) meta {
	var m meta
	for _, line := range strings.Split(string(d), "\n") {
		k, v, _ := strings.Cut(line, " = ")
		switch strings.TrimSpace(k) {
		case "pkgname":
			m.name = strings.TrimSpace(v)
		case "pkgver":
			m.version = strings.TrimSpace(v)
		case "arch":
			m.arch = strings.TrimSpace(v)
		}
	}
	return m
}

// walkTar calls fn for each regular file of a (compressed) tar stream, with
// its name cleaned of "./".
func walkTar(r io.Reader, comp string, fn func(name string, data []byte)) error {
	switch comp {
	case "gz", "gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			return err
		}
		zr.Multistream(true) // an .apk is several gzip streams
		r = zr
	case "zst":
		zr, err := zstd.NewReader(r)
		if err != nil {
			return err
		}
		defer zr.Close()
		r = zr
	case "xz":
		zr, err := xz.NewReader(r)
		if err != nil {
			return err
		}
		r = zr
	case "tar", "":
	default:
		return fmt.Errorf("compression %q not supported (gz, xz, zst)", comp)
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		d, err := io.ReadAll(tr)
		if err != nil {
			return err
		}
		fn(strings.TrimPrefix(path.Clean("/"+h.Name), "/"), d)
	}
}
