// Package pkgfile reads package files without a package manager
// (runtime-init also runs on macOS and Windows): .deb (ar with
// control.tar.* and data.tar.*), .apk (gzip tar streams), .rpm (cpio
// payload, through sassoftware/go-rpmutils) and .pkg.tar.* (pacman,
// MSYS2). Read takes one file out (the runtime for an image); Walk visits
// every file with the package's metadata (the SBOMs).
package pkgfile

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/sassoftware/go-rpmutils"
	"github.com/ulikunitz/xz"
)

// Kinds of package file, told apart by name.
const (
	KindDeb  = "deb"
	KindRPM  = "rpm"
	KindAPK  = "apk"
	KindArch = "archlinux" // .pkg.tar.zst (or .xz), also MSYS2's
)

// Formats are the file name suffixes Read and Walk understand.
var Formats = []string{".deb", ".apk", ".rpm", ".pkg.tar.zst"}

// Kind names the package format of a file by its name, or "" for none.
func Kind(name string) string {
	switch {
	case strings.HasSuffix(name, ".deb"):
		return KindDeb
	case strings.HasSuffix(name, ".rpm"):
		return KindRPM
	case strings.HasSuffix(name, ".apk"):
		return KindAPK
	case strings.Contains(name, ".pkg.tar."):
		return KindArch
	}
	return ""
}

// Meta is what a package says about itself.
type Meta struct{ Name, Version, Arch string }

// WalkFunc gets each regular file the package installs, its name cleaned
// to "usr/bin/x". Returning Stop ends the walk without an error.
type WalkFunc func(name string, data []byte) error

// Stop ends a Walk early.
var Stop = errors.New("stop walking")

// Walk calls fn for every regular file the package at p installs (not its
// metadata files) and returns the package's own metadata: the .deb's
// control, the .rpm's header, .PKGINFO.
func Walk(p string, fn WalkFunc) (Meta, error) {
	f, err := os.Open(p)
	if err != nil {
		return Meta{}, err
	}
	defer f.Close()
	var m Meta
	switch Kind(p) {
	case KindDeb:
		m, err = walkDeb(f, fn)
	case KindRPM:
		m, err = walkRPM(f, fn)
	case KindAPK:
		m, err = walkTarPackage(f, "gz", fn)
	case KindArch:
		comp := strings.TrimPrefix(path.Ext(p), ".")
		m, err = walkTarPackage(f, comp, fn)
	default:
		return m, fmt.Errorf("%s: want a %s file", p, strings.Join(Formats, ", "))
	}
	if errors.Is(err, Stop) {
		err = nil
	}
	if err != nil {
		return m, fmt.Errorf("%s: %w", p, err)
	}
	return m, nil
}

// Read returns the regular file name (a path such as "usr/bin/faas-runtime";
// a leading "/" or "./" is ignored) from the package at p, whose format is
// told by its suffix.
func Read(p, name string) ([]byte, error) {
	want := clean(name)
	var found []byte
	_, err := Walk(p, func(n string, d []byte) error {
		if n == want {
			found = d
			return Stop
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, fmt.Errorf("no %s in the package", want)
	}
	return found, nil
}

// clean spells a member name the one way: usr/bin/x for /usr/bin/x and ./usr/bin/x.
func clean(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}

// walkDeb reads the ar archive's control.tar.* (for the control file) and
// data.tar.* members.
func walkDeb(r io.Reader, fn WalkFunc) (Meta, error) {
	var m Meta
	br := bufio.NewReader(r)
	magic := make([]byte, 8)
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != "!<arch>\n" {
		return m, errors.New("not a .deb (no ar header)")
	}
	hdr := make([]byte, 60)
	sawData := false
	for {
		if _, err := io.ReadFull(br, hdr); err == io.EOF {
			break
		} else if err != nil {
			return m, err
		}
		member := strings.TrimSuffix(strings.TrimSpace(string(hdr[0:16])), "/")
		size, err := strconv.ParseInt(strings.TrimSpace(string(hdr[48:58])), 10, 64)
		if err != nil {
			return m, fmt.Errorf("bad ar member size for %s", member)
		}
		body := io.LimitReader(br, size)
		comp := strings.TrimPrefix(path.Ext(member), ".")
		switch {
		case strings.HasPrefix(member, "control.tar"):
			err = WalkTar(body, comp, func(n string, d []byte) error {
				if n == "control" {
					m = debControl(d)
				}
				return nil
			})
		case strings.HasPrefix(member, "data.tar"):
			sawData = true
			err = WalkTar(body, comp, fn)
		}
		if err != nil {
			return m, err // Stop included: the caller has what it wanted
		}
		if _, err := io.Copy(io.Discard, body); err != nil {
			return m, err
		}
		if size%2 == 1 {
			br.ReadByte()
		}
	}
	if !sawData {
		return m, errors.New("not a .deb: no data.tar member")
	}
	return m, nil
}

func debControl(d []byte) Meta {
	var m Meta
	for _, line := range strings.Split(string(d), "\n") {
		k, v, _ := strings.Cut(line, ":")
		switch k {
		case "Package":
			m.Name = strings.TrimSpace(v)
		case "Version":
			m.Version = strings.TrimSpace(v)
		case "Architecture":
			m.Arch = strings.TrimSpace(v)
		}
	}
	return m
}

func walkRPM(r io.Reader, fn WalkFunc) (Meta, error) {
	var m Meta
	rpm, err := rpmutils.ReadRpm(r)
	if err != nil {
		return m, fmt.Errorf("not an .rpm: %w", err)
	}
	m.Name, _ = rpm.Header.GetString(rpmutils.NAME)
	v, _ := rpm.Header.GetString(rpmutils.VERSION)
	rel, _ := rpm.Header.GetString(rpmutils.RELEASE)
	m.Version = v + "-" + rel
	m.Arch, _ = rpm.Header.GetString(rpmutils.ARCH)
	pr, err := rpm.PayloadReaderExtended()
	if err != nil {
		return m, err
	}
	for {
		fi, err := pr.Next()
		if err == io.EOF {
			return m, nil
		}
		if err != nil {
			return m, err
		}
		if pr.IsLink() || fi.Mode()&0o170000 != 0o100000 { // regular files only (S_IFREG)
			continue
		}
		d, err := io.ReadAll(pr)
		if err != nil {
			return m, err
		}
		if err := fn(clean(fi.Name()), d); err != nil {
			return m, err
		}
	}
}

// walkTarPackage reads an .apk (gzip streams back to back) or an
// archlinux/MSYS2 .pkg.tar.*: metadata from .PKGINFO; .SIGN.*, .BUILDINFO,
// .MTREE and .INSTALL are the format's own, not installed files.
func walkTarPackage(r io.Reader, comp string, fn WalkFunc) (Meta, error) {
	var m Meta
	err := WalkTar(r, comp, func(n string, d []byte) error {
		switch {
		case n == ".PKGINFO":
			m = pkgInfo(d)
		case strings.HasPrefix(n, ".SIGN.") || n == ".BUILDINFO" || n == ".MTREE" || n == ".INSTALL":
		default:
			return fn(n, d)
		}
		return nil
	})
	return m, err
}

func pkgInfo(d []byte) Meta {
	var m Meta
	for _, line := range strings.Split(string(d), "\n") {
		k, v, _ := strings.Cut(line, " = ")
		switch strings.TrimSpace(k) {
		case "pkgname":
			m.Name = strings.TrimSpace(v)
		case "pkgver":
			m.Version = strings.TrimSpace(v)
		case "arch":
			m.Arch = strings.TrimSpace(v)
		}
	}
	return m
}

// WalkTar calls fn for each regular file of a tar stream compressed with
// comp ("gz", "zst", "xz", or "tar" for none): package payloads and image
// layers alike.
func WalkTar(r io.Reader, comp string, fn WalkFunc) error {
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
		if err := fn(clean(h.Name), d); err != nil {
			return err
		}
	}
}
