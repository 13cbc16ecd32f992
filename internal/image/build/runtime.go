package build

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"debug/elf"
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

// Runtime is a faas-runtime binary and the architecture it was built for.
type Runtime struct {
	Arch   string
	Data   []byte
	Source string // where it came from, for messages
}

// ELFArch tells amd64 from arm64 by the ELF header, so a binary for the
// wrong architecture is refused before it goes into an image.
func ELFArch(data []byte) (string, error) {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("not a Linux ELF executable: %w", err)
	}
	switch f.Machine {
	case elf.EM_X86_64:
		return "amd64", nil
	case elf.EM_AARCH64:
		return "arm64", nil
	}
	return "", fmt.Errorf("ELF for %s: Lambda runs amd64 and arm64", f.Machine)
}

// RuntimeFromFile reads a faas-runtime binary.
func RuntimeFromFile(p string) (Runtime, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return Runtime{}, fmt.Errorf("--runtime: %w", err)
	}
	arch, err := ELFArch(data)
	if err != nil {
		return Runtime{}, fmt.Errorf("--runtime %s: %w", p, err)
	}
	return Runtime{Arch: arch, Data: data, Source: p}, nil
}

// RuntimeFromPackage takes usr/bin/faas-runtime out of our .deb, .apk or
// .rpm, without a package manager (runtime-init also runs on macOS and
// Windows CI). The .rpm goes through sassoftware/go-rpmutils; .deb (ar +
// tar) and .apk (gzip tar streams) are small enough to read by hand.
func RuntimeFromPackage(p string) (Runtime, error) {
	f, err := os.Open(p)
	if err != nil {
		return Runtime{}, fmt.Errorf("--runtime-package: %w", err)
	}
	defer f.Close()
	var data []byte
	switch {
	case strings.HasSuffix(p, ".deb"):
		data, err = fromDeb(f)
	case strings.HasSuffix(p, ".apk"):
		data, err = fromTar(f, "gzip")
	case strings.HasSuffix(p, ".rpm"):
		data, err = fromRPM(f)
	default:
		err = errors.New("want a .deb, .apk or .rpm")
	}
	if err != nil {
		return Runtime{}, fmt.Errorf("--runtime-package %s: %w", p, err)
	}
	arch, err := ELFArch(data)
	if err != nil {
		return Runtime{}, fmt.Errorf("--runtime-package %s: usr/bin/faas-runtime: %w", p, err)
	}
	return Runtime{Arch: arch, Data: data, Source: p}, nil
}

// fromDeb reads the ar archive's data.tar.* member.
func fromDeb(r io.Reader) ([]byte, error) {
	br := bufio.NewReader(r)
	magic := make([]byte, 8)
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != "!<arch>\n" {
		return nil, errors.New("not a .deb (no ar header)")
	}
	hdr := make([]byte, 60)
	for {
		if _, err := io.ReadFull(br, hdr); err != nil {
			return nil, errors.New("no data.tar member")
		}
		name := strings.TrimSuffix(strings.TrimSpace(string(hdr[0:16])), "/")
		size, err := strconv.ParseInt(strings.TrimSpace(string(hdr[48:58])), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad ar member size for %s", name)
		}
		body := io.LimitReader(br, size)
		if strings.HasPrefix(name, "data.tar") {
			comp := strings.TrimPrefix(path.Ext(name), ".")
			return fromTar(body, comp)
		}
		if _, err := io.Copy(io.Discard, body); err != nil {
			return nil, err
		}
		if size%2 == 1 {
			br.ReadByte()
		}
	}
}

func fromTar(r io.Reader, comp string) ([]byte, error) {
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
			return nil, errors.New("no usr/bin/faas-runtime in the package")
		}
		if err != nil {
			return nil, err
		}
		if strings.TrimPrefix(path.Clean(strings.TrimPrefix(h.Name, "./")), "/") == "usr/bin/faas-runtime" && h.Typeflag == tar.TypeReg {
			return io.ReadAll(tr)
		}
	}
}

func fromRPM(r io.Reader) ([]byte, error) {
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
			return nil, errors.New("no /usr/bin/faas-runtime in the package")
		}
		if err != nil {
			return nil, err
		}
		if path.Clean("/"+strings.TrimPrefix(fi.Name(), ".")) == "/usr/bin/faas-runtime" && !pr.IsLink() {
			return io.ReadAll(pr)
		}
	}
}
