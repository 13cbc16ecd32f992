package repo

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/faas-runtime/faas-runtime/packaging/packages"
	"github.com/faas-runtime/faas-runtime/packaging/pkgversion"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
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

// history is what a build knows of the releases: the tree it adds to and
// the releases the new tree keeps.
type history struct {
	prev        *previous // the tree this release is added to, or nil
	releases    []Release // kept releases, oldest first
	current     int       // this build's index in releases
	republished *Release  // this version as prev already published it, or nil
	repoTime    int64     // the newest SOURCE_DATE_EPOCH among releases
	rank        map[string]int
}

// checkPackageKeys refuses packages signed by other keys than the
// repository's: clients would reject them.
func checkPackageKeys(dir string, man *packages.Result, keys *signing.Keys) error {
	if fp := keys.Fingerprint(); man.KeyFingerprint != fp {
		return fmt.Errorf("the packages in %s were signed with key %s, but the repository key is %s: rebuild the packages with this key",
			dir, man.KeyFingerprint, fp)
	}
	if man.APKKeyName != keys.APKName {
		return fmt.Errorf("the apk packages in %s name key %s, but the repository's apk key is %s: rebuild the packages",
			dir, man.APKKeyName, keys.APKName)
	}
	return nil
}

// planHistory opens opts.From (if any), checks that its key is this build's
// or a transition key, and lists the releases the new tree keeps.
func planHistory(opts Options, man *packages.Result, keys *signing.Keys) (*history, error) {
	h := &history{releases: []Release{{Version: man.Version, SourceDateEpoch: man.SourceDateEpoch}}}
	if opts.From != "" {
		prev, err := openPrevious(opts.From)
		if err != nil {
			return nil, err
		}
		known := prev.man.KeyFingerprint == keys.Fingerprint()
		for _, k := range opts.Transition {
			known = known || prev.man.KeyFingerprint == k.Fingerprint()
		}
		if !known {
			return nil, fmt.Errorf("the repository %s is signed with key %s, but this build's key is %s: to rotate keys, publish with the old key as a transition key first (see docs/packages.md)",
				opts.From, prev.man.KeyFingerprint, keys.Fingerprint())
		}
		for _, rel := range prev.man.Releases {
			if rel.Version == man.Version {
				h.republished = &rel
				continue
			}
			h.releases = append(h.releases, rel)
		}
		h.prev = prev
	}
	if err := sortReleases(h.releases); err != nil {
		return nil, err
	}
	h.releases = retain(h.releases, opts.Keep, man.Version)
	for i, rel := range h.releases {
		h.repoTime = max(h.repoTime, rel.SourceDateEpoch)
		if rel.Version == man.Version {
			h.current = i
		}
	}
	h.rank = versionRank(h.releases)
	return h, nil
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

// copyPrevious copies the kept earlier releases' files, byte for byte,
// stamped with their own release's time (createrepo_c records mtimes).
func (r *repoBuilder) copyPrevious() error {
	for i, rel := range r.releases {
		if i == r.current {
			continue
		}
		fmt.Fprintf(r.log, "repo: keeping %s (%d files)\n", rel.Version, len(rel.Files))
		for _, f := range rel.Files {
			data, err := r.prev.get(f)
			if err != nil {
				return fmt.Errorf("release %s: %w", rel.Version, err)
			}
			if err := r.write(f, data); err != nil {
				return err
			}
			t := time.Unix(rel.SourceDateEpoch, 0).UTC()
			if err := os.Chtimes(filepath.Join(r.out, f), t, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// keptDirs returns the directories under top holding earlier releases'
// files ending in suffix (absolute, in the tree being built).
func (r *repoBuilder) keptDirs(top, suffix string) []string {
	seen := map[string]bool{}
	var out []string
	for i, rel := range r.releases {
		for _, f := range rel.Files {
			d := filepath.Join(r.out, filepath.Dir(f))
			if i != r.current && strings.HasPrefix(f, top+string(filepath.Separator)) && strings.HasSuffix(f, suffix) && !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	sort.Strings(out)
	return out
}

// sameAs refuses to publish a version again with other bytes: users who
// pinned it already have the first ones.
func (r *repoBuilder) sameAs(old *Release) error {
	if strings.Join(old.Files, "\n") != strings.Join(r.newFiles, "\n") {
		return fmt.Errorf("version %s is already published in %s with other files; publish a new version (or --force to replace it)", old.Version, r.prev.from)
	}
	for _, f := range old.Files {
		was, err := r.prev.get(f)
		if err != nil {
			return err
		}
		now, err := os.ReadFile(filepath.Join(r.out, f))
		if err != nil {
			return err
		}
		if !bytes.Equal(was, now) {
			return fmt.Errorf("version %s is already published in %s, and %s differs from this build; publish a new version (or --force to replace it)", old.Version, r.prev.from, f)
		}
	}
	return nil
}

// ordered sorts package file names oldest release first (this build's
// files count as its release), so tools keeping one version per package
// name (repo-add) end with the newest.
func (r *repoBuilder) ordered(names []string) {
	rank := func(n string) int {
		if i, ok := r.rank[n]; ok {
			return i
		}
		return r.current
	}
	sort.SliceStable(names, func(i, j int) bool {
		if a, b := rank(names[i]), rank(names[j]); a != b {
			return a < b
		}
		return names[i] < names[j]
	})
}
