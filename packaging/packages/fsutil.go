package packages

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// CheckReplaceable refuses to replace a directory this tool did not make
// (no MANIFEST.json) unless force is set.
func CheckReplaceable(dir string, force bool) error {
	st, err := os.Stat(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s exists and is not a directory", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, ManifestName)); err == nil || force {
		return nil
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) == 0 {
		return nil
	}
	return fmt.Errorf("%s exists but was not made by this tool (no %s): remove it or pass --force", dir, ManifestName)
}

// ReplaceDir moves the finished tmp into place as dst: the old dst is moved
// aside first and removed last, so readers see either the old tree or the
// new one, never a mix.
func ReplaceDir(tmp, dst string) error {
	// MkdirTemp makes 0700 directories; the published tree is world-readable.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	old := ""
	if _, err := os.Stat(dst); err == nil {
		old = dst + ".old"
		os.RemoveAll(old)
		if err := os.Rename(dst, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		if old != "" {
			os.Rename(old, dst)
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

func writeManifest(dir string, res *Result) error {
	sort.Slice(res.Files, func(i, j int) bool { return res.Files[i].Path < res.Files[j].Path })
	var sums strings.Builder
	for _, f := range res.Files {
		fmt.Fprintf(&sums, "%s  %s\n", f.SHA256, f.Path)
	}
	if err := os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(sums.String()), 0o644); err != nil {
		return err
	}
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ManifestName), append(b, '\n'), 0o644)
}

// ReadManifest reads dir/MANIFEST.json.
func ReadManifest(dir string) (*Result, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestName), err)
	}
	return &r, nil
}

// Find returns the artifacts of kind (and package, arch if not empty).
func (r *Result) Find(kind, pkg, arch string) []Artifact {
	var out []Artifact
	for _, f := range r.Files {
		if f.Kind == kind && (pkg == "" || f.Package == pkg) && (arch == "" || f.Arch == arch || f.GOARCH == arch) {
			out = append(out, f)
		}
	}
	return out
}

func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// Fingerprint hashes the source tree (tracked files, and untracked Go
// files that are not ignored): a dist/ built from the same fingerprint is up
// to date. Other untracked files are left out so that files tests write
// into the tree do not make the repository look stale mid-run.
func Fingerprint(root string) (string, error) {
	out, err := git(root, "ls-files", "-z", "--cached")
	if err != nil {
		return "", err
	}
	names := strings.Split(strings.TrimRight(out, "\x00"), "\x00")
	others, err := git(root, "ls-files", "-z", "--others", "--exclude-standard", "--", "*.go")
	if err != nil {
		return "", err
	}
	names = append(names, strings.Split(strings.TrimRight(others, "\x00"), "\x00")...)
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		if n == "" || strings.HasSuffix(n, "_test.go") {
			continue // tests are not in any package
		}
		b, err := os.ReadFile(filepath.Join(root, n))
		if os.IsNotExist(err) {
			continue // deleted in the work tree
		}
		if err != nil {
			if st, serr := os.Stat(filepath.Join(root, n)); serr == nil && st.IsDir() {
				continue // a submodule or nested repository
			}
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// CheckReplaceableAs is CheckReplaceable for a tree marked by another manifest file name.
func CheckReplaceableAs(dir, manifest string, force bool) error {
	if _, err := os.Stat(filepath.Join(dir, manifest)); err == nil {
		return nil
	}
	if err := CheckReplaceable(dir, force); err != nil {
		return fmt.Errorf("%s exists but was not made by this tool (no %s): remove it or pass --force", dir, manifest)
	}
	return nil
}
