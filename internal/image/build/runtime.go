package build

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"strings"

	"github.com/faas-runtime/faas-runtime/internal/pkgfile"
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
// .rpm (internal/pkgfile: no package manager, runtime-init also runs on
// macOS and Windows CI).
func RuntimeFromPackage(p string) (Runtime, error) {
	if !strings.HasSuffix(p, ".deb") && !strings.HasSuffix(p, ".apk") && !strings.HasSuffix(p, ".rpm") {
		return Runtime{}, fmt.Errorf("--runtime-package %s: want a .deb, .apk or .rpm", p)
	}
	data, err := pkgfile.Read(p, "usr/bin/faas-runtime")
	if err != nil {
		return Runtime{}, fmt.Errorf("--runtime-package %s: %w", p, err)
	}
	arch, err := ELFArch(data)
	if err != nil {
		return Runtime{}, fmt.Errorf("--runtime-package %s: usr/bin/faas-runtime: %w", p, err)
	}
	return Runtime{Arch: arch, Data: data, Source: p}, nil
}
