package repo_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

var (
	otherOnce sync.Once
	other     *signing.Keys
	otherErr  error
	otherDir  string
)

// otherKeys are throwaway keys that are not the repository's: what an
// attacker or a mix-up would sign with.
func otherKeys(t *testing.T) *signing.Keys {
	t.Helper()
	otherOnce.Do(func() {
		otherDir, otherErr = os.MkdirTemp("", "faas-other-keys-")
		if otherErr == nil {
			other, otherErr = signing.Load(func(string) string { return "" }, otherDir, io.Discard)
		}
	})
	if otherErr != nil {
		t.Fatal(otherErr)
	}
	return other
}

func TestMain(m *testing.M) {
	code := m.Run()
	if otherDir != "" {
		os.RemoveAll(otherDir)
	}
	os.Exit(code)
}

// repoKeys are the keys dist/repo is signed with.
func repoKeys(t *testing.T) *signing.Keys {
	t.Helper()
	repotest.Dir(t)
	k, err := signing.Load(os.Getenv, filepath.Join(repotest.Dist(t), "keys"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fileSum(path string) (string, int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", 0, err
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:]), int64(len(b)), nil
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// confined runs a command that may write anywhere under the top-level
// directories tops (e.g. "usr") in a private mount namespace where each of
// them is an overlay whose writes land in a temporary directory: a tool that
// unpacks packages carelessly (rpmlint's rpm2cpio | cpio -id) cannot change
// the machine. It returns the output and what was written per directory.
func confined(t *testing.T, tops []string, name string, args ...string) (string, error, map[string][]string) {
	t.Helper()
	testutil.Need(t, "unshare", "mount")
	tmp := t.TempDir()
	script := "set -e\n"
	for _, top := range tops {
		u, w := filepath.Join(tmp, top, "upper"), filepath.Join(tmp, top, "work")
		os.MkdirAll(u, 0o755)
		os.MkdirAll(w, 0o755)
		script += fmt.Sprintf("mount -t overlay overlay -o lowerdir=/%s,upperdir=%s,workdir=%s /%s\n", top, u, w, top)
	}
	script += `exec "$@"`
	out, err := runErr("", nil, "unshare", append([]string{"--mount", "--propagation", "private", "--", "sh", "-c", script, "sh", name}, args...)...)
	written := map[string][]string{}
	for _, top := range tops {
		u := filepath.Join(tmp, top, "upper")
		filepath.Walk(u, func(p string, info os.FileInfo, err error) error {
			if err == nil && p != u {
				rel, _ := filepath.Rel(u, p)
				written[top] = append(written[top], "/"+top+"/"+rel)
			}
			return nil
		})
	}
	return out, err, written
}

// hostState records, for each path, whether it exists on this machine and
// its size and mtime, to show a test left them as they were.
func hostState(paths []string) map[string]string {
	st := map[string]string{}
	for _, p := range paths {
		if fi, err := os.Lstat(p); err == nil {
			st[p] = fmt.Sprintf("%v %d %d", fi.Mode(), fi.Size(), fi.ModTime().UnixNano())
		} else {
			st[p] = "absent"
		}
	}
	return st
}
