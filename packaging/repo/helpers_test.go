package repo_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/faas-runtime/faas-runtime/packaging/repotest"
	"github.com/faas-runtime/faas-runtime/packaging/sign"
)

var (
	otherOnce sync.Once
	other     *sign.Keys
	otherErr  error
	otherDir  string
)

// otherKeys are throwaway keys that are not the repository's: what an
// attacker or a mix-up would sign with.
func otherKeys(t *testing.T) *sign.Keys {
	t.Helper()
	otherOnce.Do(func() {
		otherDir, otherErr = os.MkdirTemp("", "faas-other-keys-")
		if otherErr == nil {
			other, otherErr = sign.Load(func(string) string { return "" }, otherDir, io.Discard)
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
func repoKeys(t *testing.T) *sign.Keys {
	t.Helper()
	repotest.Dir(t)
	k, err := sign.Load(os.Getenv, filepath.Join(repotest.Dist(t), "keys"), io.Discard)
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
