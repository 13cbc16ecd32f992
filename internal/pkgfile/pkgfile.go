// Package pkgfile reads one file out of a package without a package
// manager (runtime-init also runs on macOS and Windows): .deb (ar with a
// data.tar.*), .apk (gzip tar streams), .rpm (cpio payload, through
// sassoftware/go-rpmutils) and .pkg.tar.zst (pacman, MSYS2).
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
)

// Formats are the file name suffixes Read understands.
var Formats = []string{".deb", ".apk", ".rpm", ".pkg.tar.zst"}

// Read returns the regular file name (a path such as "usr/bin/faas-runtime";
// a leading "/" or "./" is ignored) from the package at p, whose format is
// told by its suffix.
func Read(p, name string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	want := clean(name)
	switch {
	case strings.HasSuffix(p, ".deb"):
		return fromDeb(f, want)
	case strings.HasSuffix(p, ".apk"):
		return fromTar(f, "gz", want)
	case strings.HasSuffix(p, ".pkg.tar.zst"):
		return fromTar(f, "zst", want)
	case strings.HasSuffix(p, ".rpm"):
		return fromRPM(f, want)
	}
	return nil, fmt.Errorf("%s: want a %s file", p, strings.Join(Formats, ", "))
}

// clean spells a member name the one way: usr/bin/x for /usr/bin/x and ./usr/bin/x.
func clean(name string) string {
	return strings.TrimPrefix(path.Clean("/"+strings.TrimPrefix(name, ".")), "/")
}

func notFound(name string) error { return fmt.Errorf("no %s in the package", name) }

// fromDeb reads the ar archive's data.tar.* member.
func fromDeb(r io.Reader, name string) ([]byte, error) {
	br := bufio.NewReader(r)
	magic := make([]byte, 8)
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != "!<arch>\n" {
		return nil, errors.New("not a .deb (no ar header)")
	}
	hdr := make([]byte, 60)
	for {
		if _, err := io.ReadFull(br, hdr); err != nil {
			return nil, errors.New("not a .deb: no data.tar member")
		}
		member := strings.TrimSuffix(strings.TrimSpace(string(hdr[0:16])), "/")
		size, err := strconv.ParseInt(strings.TrimSpace(string(hdr[48:58])), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad ar member size for %s", member)
		}
		body := io.LimitReader(br, size)
		if strings.HasPrefix(member, "data.tar") {
			return fromTar(body, strings.TrimPrefix(path.Ext(member), "."), name)
		}
		if _, err := io.Copy(io.Discard, body); err != nil {
			return nil, err
		}
		if size%2 == 1 {
			br.ReadByte()
		}
	}
}

func fromTar(r io.Reader, comp, name string) ([]byte, error) {
	switch comp {
	case "gz", "gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, err
		}
		// An .apk is several gzip streams back to back; read them all.
		zr.Multistream(true)
		r = zr
	case "zst":
		zr, err := zstd.NewReader(r)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	case "tar":
	default:
		return nil, fmt.Errorf("data.tar.%s: compression not supported (gz, zst)", comp)
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, notFound(name)
		}
		if err != nil {
			return nil, err
		}
		if clean(h.Name) == name && h.Typeflag == tar.TypeReg {
			return io.ReadAll(tr)
		}
	}
}

func fromRPM(r io.Reader, name string) ([]byte, error) {
	rpm, err := rpmutils.ReadRpm(r)
	if err != nil {
		return nil, fmt.Errorf("not an .rpm: %w", err)
	}
	pr, err := rpm.PayloadReaderExtended()
	if err != nil {
		return nil, err
	}
	for {
		fi, err := pr.Next()
		if err == io.EOF {
			return nil, notFound(name)
		}
		if err != nil {
			return nil, err
		}
		if clean(fi.Name()) == name && fi.Mode()&0o170000 == 0o100000 && !pr.IsLink() {
			return io.ReadAll(pr)
		}
	}
}
