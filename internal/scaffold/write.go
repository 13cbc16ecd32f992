package scaffold

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ConflictError lists every file that exists already; nothing was written.
type ConflictError struct {
	Dir   string
	Paths []string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%d file(s) exist already in %s and --force was not given; nothing was written:\n  %s",
		len(e.Paths), e.Dir, strings.Join(e.Paths, "\n  "))
}

// Conflicts returns the files that exist already under dir.
func Conflicts(dir string, files []File) ([]string, error) {
	var out []string
	for _, f := range files {
		_, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(f.Path)))
		switch {
		case err == nil:
			out = append(out, f.Path)
		case !errors.Is(err, os.ErrNotExist):
			return nil, err
		}
	}
	return out, nil
}

// Write writes files under dir. Without force, an existing file stops it
// before anything is written (a *ConflictError naming them all). Files are
// written into a temporary directory next to their destination first and
// renamed into place only when all of them were written, so a failure
// leaves no half-written project behind.
func Write(dir string, files []File, force bool) error {
	conflicts, err := Conflicts(dir, files)
	if err != nil {
		return err
	}
	if len(conflicts) > 0 && !force {
		return &ConflictError{Dir: dir, Paths: conflicts}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(dir, ".runtime-init-scaffold-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, f := range files {
		p := filepath.Join(tmp, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, f.Mode); err != nil {
			return err
		}
		// WriteFile's mode is subject to the umask; scripts must stay executable.
		if err := os.Chmod(p, f.Mode); err != nil {
			return err
		}
	}
	for _, f := range files {
		dst := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(tmp, filepath.FromSlash(f.Path)), dst); err != nil {
			return err
		}
	}
	return nil
}

// Print writes the files and their contents to w (--dry-run).
func Print(w io.Writer, dir string, files []File) error {
	for _, f := range files {
		if _, err := fmt.Fprintf(w, "==> %s (%04o)\n%s", filepath.Join(dir, filepath.FromSlash(f.Path)), f.Mode, f.Data); err != nil {
			return err
		}
		if len(f.Data) > 0 && f.Data[len(f.Data)-1] != '\n' {
			fmt.Fprintln(w)
		}
	}
	return nil
}
