package publish

import (
	"path"
	"sort"
	"strings"
)

// The upload order that keeps every client consistent (a client reads an
// index, then the files it names):
//
//  1. content: packages, their signatures, apt's by-hash/ indexes, rpm's
//     hash-named repodata, keys. New names only, or bytes a client never
//     reads through an index that names other bytes.
//  2. indexes, the files a client reads first and that each release
//     overwrites. The secondary ones first (apt's Packages, read by hash
//     anyway; pacman's .files), then each primary index followed at once by
//     its detached signature: APKINDEX.tar.gz (signed inside), repomd.xml
//     and .asc, NAME.db(.tar.gz) and .sig, Release, Release.gpg and
//     InRelease last of apt's.
//  3. REPO.json: the manifest the next release reads (--from); it names
//     the publish complete.
type phase int

const (
	phaseContent phase = iota
	phaseSecondaryIndex
	phaseIndex
	phaseManifest
)

// ManifestKey is the repository's REPO.json, uploaded last.
const ManifestKey = "REPO.json"

// primaryIndexes are the overwritten files a client reads first, in the
// order they go up within a directory: an index, then its signature.
var primaryIndexes = []string{
	"APKINDEX.tar.gz",
	"repomd.xml", "repomd.xml.asc",
	"Release", "Release.gpg", "InRelease",
}

func classify(key string) (phase, int) {
	base := path.Base(key)
	if key == ManifestKey {
		return phaseManifest, 0
	}
	if strings.Contains(key, "/by-hash/") {
		return phaseContent, 0
	}
	switch base {
	case "Packages", "Packages.gz", "Packages.xz":
		return phaseSecondaryIndex, 0
	}
	for i, n := range primaryIndexes {
		if base == n {
			return phaseIndex, i
		}
	}
	// pacman: NAME.files(.tar.gz)(.sig) are secondary; NAME.db.tar.gz,
	// its .sig, then NAME.db (what pacman fetches) and its .sig.
	if strings.Contains(base, ".files") && isPacmanDB(base) {
		return phaseSecondaryIndex, 0
	}
	if isPacmanDB(base) {
		r := 0
		if !strings.Contains(base, ".tar.") {
			r = 2
		}
		if strings.HasSuffix(base, ".sig") {
			r++
		}
		return phaseIndex, r
	}
	return phaseContent, 0
}

// isPacmanDB: NAME.db, NAME.db.tar.gz, NAME.files…, with or without .sig.
func isPacmanDB(base string) bool {
	b := strings.TrimSuffix(base, ".sig")
	for _, ext := range []string{".db", ".db.tar.gz", ".files", ".files.tar.gz"} {
		if strings.HasSuffix(b, ext) && !strings.Contains(b, ".pkg.tar") {
			return true
		}
	}
	return false
}

// ordered returns keys in upload order: by phase; within the index phase
// by directory and then by each index's position, so a signature follows
// its index with no other upload between them.
func ordered(keys []string) []string {
	out := append([]string(nil), keys...)
	sort.SliceStable(out, func(i, j int) bool {
		pi, ri := classify(out[i])
		pj, rj := classify(out[j])
		if pi != pj {
			return pi < pj
		}
		if pi == phaseIndex {
			if di, dj := path.Dir(out[i]), path.Dir(out[j]); di != dj {
				return di < dj
			}
			if ri != rj {
				return ri < rj
			}
		}
		return out[i] < out[j]
	})
	return out
}

// immutable: a name that always holds the same bytes (a versioned
// package, its signature, a hash-named index), cacheable for a year.
func immutable(key string) bool {
	if p, _ := classify(key); p != phaseContent {
		return false
	}
	base := path.Base(key)
	switch {
	case strings.Contains(key, "/by-hash/"), strings.Contains(key, "/repodata/"):
		return true
	}
	for _, ext := range []string{".rpm", ".deb", ".apk", ".pkg.tar.zst", ".pkg.tar.zst.sig"} {
		if strings.HasSuffix(base, ext) {
			return true
		}
	}
	return false
}

func contentType(key string) string {
	switch {
	case strings.HasSuffix(key, ".json"):
		return "application/json"
	case strings.HasSuffix(key, ".xml"):
		return "application/xml"
	case strings.HasSuffix(key, ".txt"), strings.HasSuffix(key, ".repo"), strings.HasSuffix(key, ".asc"),
		strings.HasSuffix(key, ".rb"), path.Base(key) == "Release", path.Base(key) == "InRelease", path.Base(key) == "Packages":
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}
