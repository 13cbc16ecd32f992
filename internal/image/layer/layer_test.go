package layer

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readTar(t testing.TB, b []byte) []*tar.Header {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var hs []*tar.Header
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return hs
		}
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
}

func TestTreeIsNormalisedAndSorted(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "lib", "z"), 0o700)
	os.WriteFile(filepath.Join(dir, "handler"), []byte("#!/bin/sh\ncat\n"), 0o700)
	os.WriteFile(filepath.Join(dir, "lib", "data.txt"), []byte("x"), 0o600)
	os.Symlink("data.txt", filepath.Join(dir, "lib", "link"))
	b := New()
	if err := b.AddTree(dir, "var/task"); err != nil {
		t.Fatal(err)
	}
	gz, err := b.Gzip(time.Unix(0, 0), gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range readTar(t, gz) {
		names = append(names, h.Name)
		if h.Uid != 0 || h.Gid != 0 || !h.ModTime.Equal(time.Unix(0, 0)) {
			t.Errorf("%s: uid %d gid %d mtime %v", h.Name, h.Uid, h.Gid, h.ModTime)
		}
		want := map[string]int64{"var/task/handler": 0o755, "var/task/lib/data.txt": 0o644, "var/task/lib/z/": 0o755}[h.Name]
		if want != 0 && h.Mode != want {
			t.Errorf("%s: mode %o, want %o", h.Name, h.Mode, want)
		}
	}
	got := strings.Join(names, " ")
	if got != "var/ var/task/ var/task/handler var/task/lib/ var/task/lib/data.txt var/task/lib/link var/task/lib/z/" {
		t.Errorf("entries: %s", got)
	}
	// Same tree again, touched: same bytes.
	os.Chtimes(filepath.Join(dir, "handler"), time.Now(), time.Now())
	b2 := New()
	b2.AddTree(dir, "var/task")
	gz2, _ := b2.Gzip(time.Unix(0, 0), gzip.BestCompression)
	if !bytes.Equal(gz, gz2) {
		t.Error("same tree gave different layer bytes")
	}
}

func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	os.Symlink("/etc/passwd", filepath.Join(dir, "abs"))
	if err := New().AddTree(dir, "var/task"); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("absolute symlink: %v", err)
	}
	dir = t.TempDir()
	os.Symlink("../../etc/passwd", filepath.Join(dir, "up"))
	if err := New().AddTree(dir, "var/task"); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("escaping symlink: %v", err)
	}
	dir = t.TempDir()
	os.WriteFile(filepath.Join(dir, ".wh.bin"), nil, 0o644)
	if err := New().AddTree(dir, "var/task"); err == nil || !strings.Contains(err.Error(), "whiteout") {
		t.Errorf("whiteout: %v", err)
	}
	if err := New().AddTree("/dev/null", "var/task"); err == nil || !strings.Contains(err.Error(), "cannot go into a layer") {
		t.Errorf("device: %v", err)
	}
	if err := New().AddTree(filepath.Join(dir, "missing"), "var/task"); err == nil {
		t.Error("missing path accepted")
	}
	for _, bad := range []string{"/etc/x", "a/../../x", "", ".", `a\b`} {
		if _, err := CleanName(bad); err == nil {
			t.Errorf("CleanName(%q) accepted", bad)
		}
	}
}

// FuzzLayerPaths: whatever names, link targets and types come in, a layer
// either refuses the entry or holds only relative, clean, non-".." names of
// regular files, directories and in-root symlinks.
func FuzzLayerPaths(f *testing.F) {
	f.Add("var/task/handler", "", byte(tar.TypeReg))
	f.Add("../etc/passwd", "", byte(tar.TypeReg))
	f.Add("/etc/shadow", "", byte(tar.TypeReg))
	f.Add("var/task/./a//b/", "", byte(tar.TypeDir))
	f.Add("var/task/l", "../../../etc", byte(tar.TypeSymlink))
	f.Add("var/task/l", "sub/../x", byte(tar.TypeSymlink))
	f.Add("var/task/dev", "", byte(tar.TypeChar))
	f.Add("var/task/.wh..wh..opq", "", byte(tar.TypeReg))
	f.Fuzz(func(t *testing.T, name, link string, typ byte) {
		b := New()
		if typ == tar.TypeSymlink {
			if err := CheckLink("var/task", name, link); err != nil {
				return
			}
		}
		if err := b.Add(Entry{Name: name, Type: typ, Linkname: link, Mode: 0o4777, Data: []byte("x")}); err != nil {
			return
		}
		gz, err := b.Gzip(time.Unix(0, 0), gzip.BestSpeed)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range readTar(t, gz) {
			n := strings.TrimSuffix(h.Name, "/")
			if path.IsAbs(n) || n != path.Clean(n) || n == "." || n == ".." || strings.HasPrefix(n, "../") || strings.Contains(n, "/../") {
				t.Fatalf("unsafe name %q", h.Name)
			}
			switch h.Typeflag {
			case tar.TypeReg, tar.TypeDir:
				if h.Mode&^0o755 != 0 {
					t.Fatalf("%s: mode %o not normalised", h.Name, h.Mode)
				}
			case tar.TypeSymlink:
				if CheckLink("var/task", n, h.Linkname) != nil {
					t.Fatalf("escaping symlink %s -> %s", h.Name, h.Linkname)
				}
			default:
				t.Fatalf("%s: type %q", h.Name, h.Typeflag)
			}
		}
	})
}
