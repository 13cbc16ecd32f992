package build

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/faas-runtime/faas-runtime/internal/image/layer"
)

// Cache holds compressed runtime layers on disk, keyed by what determines
// their bytes (the binary's hash, the timestamp, the gzip level), as ko
// caches its layers: a rebuild after a function change compresses only the
// function. Entries are immutable, so a stale entry cannot exist.
type Cache struct{ Dir string }

// DefaultCache is $FAAS_RUNTIME_CACHE_DIR, else the user cache directory;
// FAAS_RUNTIME_CACHE_DIR=off disables it.
func DefaultCache(getenv func(string) string) *Cache {
	dir := getenv("FAAS_RUNTIME_CACHE_DIR")
	if dir == "off" {
		return nil
	}
	if dir == "" {
		ucd, err := os.UserCacheDir()
		if err != nil {
			return nil
		}
		dir = filepath.Join(ucd, "faas-runtime", "layers")
	}
	return &Cache{Dir: dir}
}

// cacheFormat changes when the layer's layout does.
const cacheFormat = "v1"

func cachedLayer(c *Cache, b *layer.Builder, bin []byte, mtime time.Time, level int) (v1.Layer, error) {
	if c == nil {
		return gzLayer(b, mtime, level)
	}
	sum := sha256.Sum256(bin)
	key := fmt.Sprintf("runtime-%s-%s-%d-%d.tar.gz", cacheFormat, hex.EncodeToString(sum[:]), mtime.Unix(), level)
	p := filepath.Join(c.Dir, key)
	if gz, err := os.ReadFile(p); err == nil {
		return bytesLayer(gz)
	}
	gz, err := b.Gzip(mtime, level)
	if err != nil {
		return nil, err
	}
	// Best effort: a cache that cannot be written only costs time.
	if os.MkdirAll(c.Dir, 0o755) == nil {
		if f, err := os.CreateTemp(c.Dir, ".tmp-"); err == nil {
			_, werr := f.Write(gz)
			if cerr := f.Close(); werr == nil && cerr == nil {
				os.Rename(f.Name(), p)
			}
			os.Remove(f.Name())
		}
	}
	return bytesLayer(gz)
}

// gzLayer compresses once and hands go-containerregistry the gzip bytes,
// so the digest is computed from them instead of compressing again.
func gzLayer(b *layer.Builder, mtime time.Time, level int) (v1.Layer, error) {
	gz, err := b.Gzip(mtime, level)
	if err != nil {
		return nil, err
	}
	return bytesLayer(gz)
}

func bytesLayer(gz []byte) (v1.Layer, error) {
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(gz)), nil
	}, tarball.WithMediaType(types.OCILayer))
}
