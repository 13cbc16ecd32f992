// Package publish uploads a repository tree (faas-pkg repo's dist/repo) to
// S3-compatible object storage so that no client ever sees a mix of two
// releases: new files first, the indexes that name them after, REPO.json
// last; a file an earlier index named is deleted only a grace period after
// it stopped being named. A lease held by conditional writes keeps two
// publishers apart, and a publish that was killed is resumed by running it
// again: objects already uploaded are recognised by their ETag.
package publish

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Options say what to publish where.
type Options struct {
	Dir   string // the repository tree (with its REPO.json)
	Store Store
	// Owner names this publisher in the lock (host, pid, CI run).
	Owner string
	// LockTTL is how long a lock must stay unchanged to count as stale.
	LockTTL time.Duration
	// Grace is how long a file no index names any more is kept for clients
	// that read an older index (and caches holding one).
	Grace time.Duration
	Log   io.Writer
}

// Defaults for Options.
const (
	DefaultLockTTL = 30 * time.Second
	DefaultGrace   = 24 * time.Hour
)

// StateKey records since when each file no index names has been unnamed.
const StateKey = ".publish/state.json"

// Report counts what a publish did.
type Report struct {
	Uploaded, Unchanged, Retired, Deleted int
}

type localFile struct {
	key  string
	path string
	md5  string
}

// Publish uploads opts.Dir.
func Publish(ctx context.Context, opts Options) (Report, error) {
	var rep Report
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.LockTTL <= 0 {
		opts.LockTTL = DefaultLockTTL
	}
	files, tree, err := readTree(opts.Dir)
	if err != nil {
		return rep, err
	}
	lock, err := AcquireLock(ctx, opts.Store, opts.Owner, tree, opts.LockTTL, opts.Log)
	if err != nil {
		return rep, err
	}
	defer func() {
		if lock != nil {
			lock.Release(context.WithoutCancel(ctx))
		}
	}()
	remote, err := opts.Store.List(ctx)
	if err != nil {
		return rep, err
	}
	byKey := map[string]localFile{}
	var keys []string
	for _, f := range files {
		byKey[f.key] = f
		keys = append(keys, f.key)
	}
	last := phaseContent
	for _, k := range ordered(keys) {
		f := byKey[k]
		if p, _ := classify(k); p != last {
			// Every phase starts only while the lease is ours.
			if err := lock.Held(); err != nil {
				return rep, err
			}
			last = p
		}
		if remote[k] == f.md5 {
			rep.Unchanged++
			continue
		}
		data, err := os.ReadFile(f.path)
		if err != nil {
			return rep, err
		}
		cache := "no-cache"
		if immutable(k) {
			cache = "public, max-age=31536000, immutable"
		}
		if _, err := opts.Store.Put(ctx, k, data, PutOptions{ContentType: contentType(k), CacheControl: cache}); err != nil {
			return rep, err
		}
		rep.Uploaded++
	}
	if err := lock.Held(); err != nil {
		return rep, err
	}
	if rep.Retired, rep.Deleted, err = retire(ctx, opts, byKey, remote, lock); err != nil {
		return rep, err
	}
	err = lock.Release(ctx)
	lock = nil
	fmt.Fprintf(opts.Log, "publish: %d uploaded, %d unchanged, %d no longer named (kept %s), %d deleted\n",
		rep.Uploaded, rep.Unchanged, rep.Retired, opts.Grace, rep.Deleted)
	return rep, err
}

// readTree lists dir's regular files with their MD5 (the ETag S3 gives a
// single-part upload) and the tree's digest.
func readTree(dir string) ([]localFile, string, error) {
	if _, err := os.Stat(filepath.Join(dir, ManifestKey)); err != nil {
		return nil, "", fmt.Errorf("%s is not a repository tree (no %s; build it with faas-pkg repo): %w", dir, ManifestKey, err)
	}
	var files []localFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := md5.Sum(data)
		files = append(files, localFile{key: filepath.ToSlash(rel), path: p, md5: hex.EncodeToString(sum[:])})
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].key < files[j].key })
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s %s\n", f.md5, f.key)
	}
	return files, hex.EncodeToString(h.Sum(nil)), nil
}
