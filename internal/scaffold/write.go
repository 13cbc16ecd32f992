package scaffold

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
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
// before anything is written (a *ConflictError naming them all). The files
// are written into a temporary directory first. A new dir is that
// directory renamed into place, whole; into an existing dir the files are
// renamed one by one, and a failure undoes the renames (restoring what
// --force replaced), so no half-written project is left either way.
func Write(dir string, files []File, force bool) error {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return fmt.Errorf("%s is a file, not a directory: name a new or existing directory", dir)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return err
	}
	exists := err == nil
	conflicts, err := Conflicts(dir, files)
	if err != nil {
		return err
	}
	if len(conflicts) > 0 && !force {
		return &ConflictError{Dir: dir, Paths: conflicts}
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if exists {
		parent = dir
	} else if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, ".runtime-init-scaffold-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := writeTree(tmp, files); err != nil {
		return err
	}
	if !exists {
		// MkdirTemp made it 0700; a project directory is 0755.
		if err := os.Chmod(tmp, 0o755); err != nil {
			return err
		}
		return os.Rename(tmp, dir)
	}
	return moveInto(dir, tmp, files)
}

// writeTree writes files under root with their modes.
func writeTree(root string, files []File) error {
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f.Path))
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
	return nil
}

// moveInto renames the files from tmp into the existing dir. Files they
// replace are kept in tmp until all renames succeeded; on a failure every
// step is undone in reverse order.
func moveInto(dir, tmp string, files []File) (err error) {
	backup := filepath.Join(tmp, ".replaced")
	var undo []func()
	defer func() {
		if err != nil {
			for i := len(undo) - 1; i >= 0; i-- {
				undo[i]()
			}
		}
	}()
	for _, f := range files {
		rel := filepath.FromSlash(f.Path)
		dst := filepath.Join(dir, rel)
		made, err := mkdirs(filepath.Dir(dst))
		undo = append(undo, func() {
			for i := len(made) - 1; i >= 0; i-- {
				os.Remove(made[i])
			}
		})
		if err != nil {
			return err
		}
		if _, err := os.Lstat(dst); err == nil { // --force: keep the old one until the end
			old := filepath.Join(backup, rel)
			if err := os.MkdirAll(filepath.Dir(old), 0o755); err != nil {
				return err
			}
			if err := os.Rename(dst, old); err != nil {
				return fmt.Errorf("replacing %s: %w", dst, err)
			}
			undo = append(undo, func() { os.Rename(old, dst) })
		}
		if err := os.Rename(filepath.Join(tmp, rel), dst); err != nil {
			return fmt.Errorf("writing %s: %w; nothing was written", dst, err)
		}
		undo = append(undo, func() { os.Remove(dst) })
	}
	return nil
}

// mkdirs is os.MkdirAll that returns the directories it created, outermost
// first, so that they can be removed again.
func mkdirs(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || d == filepath.Dir(d) {
			break
		}
		missing = append([]string{d}, missing...)
	}
	var made []string
	for _, d := range missing {
		if err := os.Mkdir(d, 0o755); err != nil {
			return made, err
		}
		made = append(made, d)
	}
	return made, nil
}

// Print writes the files and their contents to w (--dry-run).
func Print(w io.Writer, dir string, files []File) error {
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if !isText(f.Data) { // a binary key: a summary, not bytes that garble the terminal
			if _, err := fmt.Fprintf(w, "==> %s (%04o)\n(binary, %d bytes, sha256 %x)\n", path, f.Mode, len(f.Data), sha256.Sum256(f.Data)); err != nil {
				return err
			}
			continue
		}
		if _, err := fmt.Fprintf(w, "==> %s (%04o)\n%s", path, f.Mode, f.Data); err != nil {
			return err
		}
		if len(f.Data) > 0 && f.Data[len(f.Data)-1] != '\n' {
			fmt.Fprintln(w)
		}
	}
	return nil
}

// isText reports whether b is printable as it is: UTF-8 without NUL or
// other control bytes than tab, newline and carriage return.
func isText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}
