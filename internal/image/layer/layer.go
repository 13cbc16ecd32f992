// Package layer writes the reproducible tar layers runtime-init adds to an
// image: entries sorted by name, one fixed timestamp, owner root:root and
// normalised modes, so that the same inputs always give the same digest.
//
// It is hand-written on archive/tar rather than taken from ko or apko
// because those normalise Go build output and APK packages; we need the
// same guarantees for an arbitrary function tree, plus the path checks
// (no absolute or ".." paths, no escaping symlinks, no device files, no
// whiteouts) that keep a layer from touching anything outside its prefix.
package layer

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	// klauspost's gzip: byte-for-byte stable for a given level, like the
	// standard library's, and about twice as fast (it is already in the
	// build through go-containerregistry).
	"github.com/klauspost/compress/gzip"
)

// Entry is one file, directory or symlink of a layer. Name is relative to
// the image root ("usr/bin/faas-runtime").
type Entry struct {
	Name     string
	Type     byte // tar.TypeReg, tar.TypeDir or tar.TypeSymlink
	Mode     int64
	Linkname string
	Data     []byte
}

// Normalised modes: the owner is always root; the function runs as another
// user, so everything is world-readable and executables world-executable.
const (
	ModeDir  = 0o755
	ModeExec = 0o755
	ModeFile = 0o644
)

// CleanName checks a layer entry name and returns it in canonical form
// (relative, slash-separated, no trailing slash). It refuses absolute paths,
// ".." components, empty names, NUL bytes, backslashes and OCI whiteout
// names, which would delete files of the base image.
func CleanName(name string) (string, error) {
	switch {
	case name == "":
		return "", fmt.Errorf("empty path")
	case strings.ContainsRune(name, 0):
		return "", fmt.Errorf("path %q contains a NUL byte", name)
	case strings.Contains(name, `\`):
		return "", fmt.Errorf("path %q contains a backslash", name)
	case strings.HasPrefix(name, "/"):
		return "", fmt.Errorf("path %q is absolute", name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("path %q contains ..", name)
		}
		if strings.HasPrefix(part, ".wh.") {
			return "", fmt.Errorf("path %q is an OCI whiteout name", name)
		}
	}
	c := path.Clean(name)
	if c == "." {
		return "", fmt.Errorf("path %q names the root", name)
	}
	return c, nil
}

// CheckLink refuses a symlink at name whose target leaves root (a prefix
// such as "var/task"): a layer must not point into the rest of the image.
func CheckLink(root, name, target string) error {
	if target == "" || strings.ContainsRune(target, 0) {
		return fmt.Errorf("symlink %s has an invalid target %q", name, target)
	}
	abs := target
	if !path.IsAbs(target) {
		// The link's directory, from its cleaned name: "var/task/" is the
		// link var/task itself, whose target resolves from var.
		abs = path.Join(path.Dir(path.Clean("/"+name)), target)
	}
	abs = path.Clean(abs)
	r := path.Clean("/" + root)
	if abs != r && !strings.HasPrefix(abs, r+"/") {
		return fmt.Errorf("symlink %s -> %s points outside /%s", name, target, root)
	}
	return nil
}

// Builder collects entries and writes them as one tar.
type Builder struct {
	entries map[string]Entry
}

// New returns an empty Builder.
func New() *Builder { return &Builder{entries: map[string]Entry{}} }

// Add adds an entry and its missing parent directories.
func (b *Builder) Add(e Entry) error {
	name, err := CleanName(e.Name)
	if err != nil {
		return err
	}
	e.Name = name
	switch e.Type {
	case tar.TypeReg:
		e.Mode, e.Linkname = normMode(e.Mode), ""
	case tar.TypeDir:
		e.Mode, e.Data, e.Linkname = ModeDir, nil, ""
	case tar.TypeSymlink:
		if e.Linkname == "" || strings.ContainsRune(e.Linkname, 0) {
			return fmt.Errorf("symlink %s has an invalid target %q", name, e.Linkname)
		}
		e.Mode, e.Data = 0o777, nil
	default:
		return fmt.Errorf("%s: only regular files, directories and symlinks go into a layer", name)
	}
	for dir := path.Dir(name); dir != "."; dir = path.Dir(dir) {
		if old, ok := b.entries[dir]; ok && old.Type != tar.TypeDir {
			return fmt.Errorf("%s: parent %s is not a directory", name, dir)
		}
		b.entries[dir] = Entry{Name: dir, Type: tar.TypeDir, Mode: ModeDir}
	}
	if old, ok := b.entries[name]; ok && (old.Type == tar.TypeDir) != (e.Type == tar.TypeDir) {
		return fmt.Errorf("%s: added twice, once as a directory", name)
	}
	b.entries[name] = e
	return nil
}

// normMode keeps only whether the file is executable.
func normMode(m int64) int64 {
	if m&0o111 != 0 {
		return ModeExec
	}
	return ModeFile
}

// AddTree copies a file or directory from the local disk under prefix: a
// file becomes prefix/<its name>, a directory's contents become prefix/...
// Symlinks are kept as symlinks and must stay inside prefix; devices,
// sockets and pipes are refused.
func (b *Builder) AddTree(src, prefix string) error {
	fi, err := os.Lstat(src)
	if err != nil {
		return err
	}
	if _, err := CleanName(prefix); err != nil {
		return err
	}
	if err := b.Add(Entry{Name: prefix, Type: tar.TypeDir}); err != nil {
		return err
	}
	if !fi.IsDir() {
		return b.addPath(src, path.Join(prefix, filepath.Base(src)), prefix, fi)
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil || rel == "." {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		return b.addPath(p, path.Join(prefix, filepath.ToSlash(rel)), prefix, fi)
	})
}

func (b *Builder) addPath(p, name, root string, fi fs.FileInfo) error {
	switch m := fi.Mode(); {
	case m.IsDir():
		return b.Add(Entry{Name: name, Type: tar.TypeDir})
	case m&fs.ModeSymlink != 0:
		target, err := os.Readlink(p)
		if err != nil {
			return err
		}
		target = filepath.ToSlash(target)
		if err := CheckLink(root, name, target); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		return b.Add(Entry{Name: name, Type: tar.TypeSymlink, Linkname: target})
	case m.IsRegular():
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return b.Add(Entry{Name: name, Type: tar.TypeReg, Mode: int64(m.Perm()), Data: data})
	default:
		return fmt.Errorf("%s: %s files cannot go into a layer (only files, directories and symlinks)", p, m.Type())
	}
}

// MarkExecutable gives a regular file mode 0755 (a handler written on
// Windows, which has no executable bit).
func (b *Builder) MarkExecutable(name string) {
	if e, ok := b.entries[path.Clean(name)]; ok && e.Type == tar.TypeReg {
		e.Mode = ModeExec
		b.entries[e.Name] = e
	}
}

// WriteTar writes the entries sorted by name, all with mtime, uid 0, gid 0.
func (b *Builder) WriteTar(w io.Writer, mtime time.Time) error {
	names := make([]string, 0, len(b.entries))
	for n := range b.entries {
		names = append(names, n)
	}
	sort.Strings(names)
	tw := tar.NewWriter(w)
	for _, n := range names {
		e := b.entries[n]
		h := &tar.Header{
			Typeflag: e.Type,
			Name:     n,
			Linkname: e.Linkname,
			Mode:     e.Mode,
			ModTime:  mtime,
			Size:     int64(len(e.Data)),
			Format:   tar.FormatPAX,
		}
		if e.Type == tar.TypeDir {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(e.Data); err != nil {
			return err
		}
	}
	return tw.Close()
}

// Gzip returns the tar compressed with gzip (no name or time in the gzip
// header, so the bytes depend only on the entries).
func (b *Builder) Gzip(mtime time.Time, level int) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, level)
	if err != nil {
		return nil, err
	}
	if err := b.WriteTar(zw, mtime); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
