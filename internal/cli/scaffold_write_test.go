package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// A scaffold that fails part way leaves nothing behind, and the retry
// finishes the project: a read-only keys/ in the target (as a user other
// than root, which ignores modes), and a failure among the renames that
// even root meets (a file's place taken by a non-empty directory, with
// --force): the files replaced before it are restored.
func TestScaffoldFailureLeavesNothing(t *testing.T) {
	t.Run("read-only keys as non-root", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("runs the binary as nobody through setpriv, which needs root") // as non-root the test below covers it
		}
		setpriv := testutil.Need(t, "setpriv")[0]
		// nobody must reach the binary and the keys.
		share, err := os.MkdirTemp("", "runtime-init-scaffold-") // t.TempDir's parent is 0700
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(share) })
		os.Chmod(share, 0o755)
		bin := filepath.Join(share, "runtime-init")
		copyFile(t, testutil.Binary(t, "./cmd/runtime-init"), bin, 0o755)
		var args []string
		for i, k := range keyArgs(t) {
			if i%2 == 1 {
				dst := filepath.Join(share, filepath.Base(k))
				copyFile(t, k, dst, 0o644)
				k = dst
			}
			args = append(args, k)
		}
		dir := filepath.Join(share, "fn")
		os.MkdirAll(filepath.Join(dir, "keys"), 0o755)
		os.Chmod(dir, 0o777)
		os.Chmod(filepath.Join(dir, "keys"), 0o555) // owned by root: read-only for nobody
		run := func() (string, int) {
			cmd := exec.Command(setpriv, append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", bin, "scaffold", "--base", "alpine"}, append(args, dir)...)...)
			cmd.Dir = share
			_, stderr, code := testutil.Run(t, cmd)
			return stderr, code
		}
		stderr, code := run()
		if code == 0 || !strings.Contains(stderr, "nothing was written") {
			t.Fatalf("read-only keys/: exit %d, %s", code, stderr)
		}
		if got := listAll(t, dir); !slices.Equal(got, []string{"keys/"}) {
			t.Fatalf("after the failure %s holds %v; want only the empty keys/", dir, got)
		}
		os.Chmod(filepath.Join(dir, "keys"), 0o777)
		if stderr, code := run(); code != 0 {
			t.Fatalf("retry: exit %d, %s", code, stderr)
		}
	})
	t.Run("a rename fails, with --force", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "fn")
		if _, logs, code := scaffoldCLI(t, nil, "scaffold", "--base", "alpine", dir); code != 0 {
			t.Fatal(logs)
		}
		// packages/ (its README is the 11th of 12 files) becomes a dangling
		// symlink: no conflict, but the rename into it fails after ten
		// files were replaced. Even root meets this one.
		os.RemoveAll(filepath.Join(dir, "packages"))
		os.Symlink("/nonexistent-runtime-init-test", filepath.Join(dir, "packages"))
		before := snapshot(t, dir)
		_, logs, code := scaffoldCLI(t, nil, "scaffold", "--force", "--base", "distroless", dir)
		if code == 0 || !strings.Contains(logs, "nothing was written") {
			t.Fatalf("exit %d: %s", code, logs)
		}
		if after := snapshot(t, dir); !mapsEqual(before, after) {
			t.Fatalf("the failed --force scaffold changed the project:\nbefore %v\nafter  %v", keys(before), keys(after))
		}
		// And into a new directory: nothing at all.
		fresh := filepath.Join(t.TempDir(), "new")
		os.Mkdir(fresh, 0o755)
		os.Symlink("/nonexistent-runtime-init-test", filepath.Join(fresh, "packages"))
		if _, logs, code := scaffoldCLI(t, nil, "scaffold", "--base", "alpine", fresh); code == 0 {
			t.Fatal(logs)
		}
		if got := listAll(t, fresh); !slices.Equal(got, []string{"packages"}) {
			t.Fatalf("after the failure %s holds %v", fresh, got)
		}
	})
	t.Run("into a file", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, []byte("x"), 0o644)
		_, logs, code := scaffoldCLI(t, nil, "scaffold", f)
		if code != 2 || !strings.Contains(logs, f+" is a file, not a directory") {
			t.Fatalf("exit %d: %s", code, logs)
		}
	})
}

func copyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, mode); err != nil {
		t.Fatal(err)
	}
}

// listAll lists files and directories (with a trailing /) under dir.
func listAll(t *testing.T, dir string) []string {
	t.Helper()
	return keys(snapshot(t, dir))
}

// snapshot maps each path under dir to its content ("" for directories,
// whose paths end in /).
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if target, err := os.Readlink(p); err == nil {
			m[rel] = "-> " + target
			return nil
		}
		if d.IsDir() {
			m[rel+"/"] = ""
			return nil
		}
		b, _ := os.ReadFile(p)
		m[rel] = string(b)
		return nil
	})
	return m
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// --dry-run shows a binary key (distroless's apt keyring) as a summary,
// not as raw bytes on the terminal; text files appear whole.
func TestScaffoldDryRunBinaryKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fn")
	out, logs, code := scaffoldCLI(t, nil, "scaffold", "--dry-run", "--base", "distroless", dir)
	if code != 0 {
		t.Fatal(logs)
	}
	key := "==> " + filepath.Join(dir, "keys", "faas-runtime-archive-keyring.gpg") + " (0644)\n(binary, "
	if !strings.Contains(out, key) || !strings.Contains(out, "FROM ") || strings.ContainsRune(out, 0) {
		t.Fatalf("dry-run output:\n%.3000s", out)
	}
	for _, r := range out {
		if r == utf8.RuneError || r < 0x20 && r != '\n' && r != '\t' {
			t.Fatalf("dry-run printed a control or invalid byte %q", r)
		}
	}
	noProject(t, dir)
}
