package repo

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/faas-runtime/faas-runtime/packaging/pkgversion"
)

// Release is one version published in the repository: the files it added
// (packages and their detached signatures), relative to the tree's root.
// A later build copies them byte for byte, so pins to it keep working.
type Release struct {
	Version         string   `json:"version"`
	SourceDateEpoch int64    `json:"source_date_epoch"`
	Files           []string `json:"files"`
}

// previous is the tree a new release is added to: a directory or an
// http(s) base URL, read through get.
type previous struct {
	from string
	man  *Manifest
	get  func(rel string) ([]byte, error)
}

func openPrevious(from string) (*previous, error) {
	p := &previous{from: from}
	if strings.HasPrefix(from, "http://") || strings.HasPrefix(from, "https://") {
		base := strings.TrimRight(from, "/")
		client := &http.Client{Timeout: 2 * time.Minute}
		p.get = func(rel string) ([]byte, error) {
			resp, err := client.Get(base + "/" + filepath.ToSlash(rel))
			if err != nil {
				return nil, err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return nil, fmt.Errorf("GET %s/%s: %s", base, rel, resp.Status)
			}
			return io.ReadAll(resp.Body)
		}
	} else {
		p.get = func(rel string) ([]byte, error) { return os.ReadFile(filepath.Join(from, rel)) }
	}
	b, err := p.get(ManifestName)
	if err != nil {
		return nil, fmt.Errorf("reading the existing repository %s: %w", from, err)
	}
	m, err := parseManifest(b)
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %w", from, ManifestName, err)
	}
	if len(m.Releases) == 0 {
		return nil, fmt.Errorf("%s/%s lists no releases (made before repositories kept history): rebuild it without --from first", from, ManifestName)
	}
	p.man = m
	return p, nil
}

// sortReleases orders releases oldest first by semver precedence.
func sortReleases(rs []Release) error {
	vs := map[string]pkgversion.Version{}
	for _, r := range rs {
		v, err := pkgversion.Parse(r.Version)
		if err != nil {
			return fmt.Errorf("release %q: %w", r.Version, err)
		}
		vs[r.Version] = v
	}
	sort.SliceStable(rs, func(i, j int) bool { return pkgversion.Compare(vs[rs[i].Version], vs[rs[j].Version]) < 0 })
	return nil
}

// retain keeps the newest keep releases (all if keep <= 0) of rs, which is
// sorted oldest first, and always keeps the one named current.
func retain(rs []Release, keep int, current string) []Release {
	if keep <= 0 || len(rs) <= keep {
		return rs
	}
	var out []Release
	for i, r := range rs {
		if i >= len(rs)-keep || r.Version == current {
			out = append(out, r)
		}
	}
	return out
}

// versionRank maps each package file of the repository to the position of
// its release (oldest 0), so metadata tools that keep one version per
// package (repo-add) are fed the newest last.
func versionRank(rs []Release) map[string]int {
	rank := map[string]int{}
	for i, r := range rs {
		for _, f := range r.Files {
			rank[filepath.Base(f)] = i
		}
	}
	return rank
}

// CheckFrom reads the REPO.json of an existing repository (directory or
// URL), so that a wrong --from fails before the packages are built.
func CheckFrom(from string) error {
	_, err := openPrevious(from)
	return err
}
