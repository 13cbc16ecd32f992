// Package standin makes the local base images that tests, benchmarks and
// scripts/image-sizes.sh use instead of the real ones, which cannot be pulled on
// an offline machine. Each is labelled as a stand-in: Busybox (a distro
// base with a shell, from Debian's busybox-static) and DistrolessStatic
// (the files gcr.io/distroless/static ships: passwd/group with nonroot,
// CA certificates, tzdata, /tmp).
package standin

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/faas-runtime/faas-runtime/internal/image/layer"
)

// Label marks every stand-in image.
const Label = "io.faas-runtime.stand-in"

var epoch = time.Unix(0, 0).UTC()

// Busybox is a base with /bin/busybox (the host's busybox-static, so host
// arch only) and its applets as symlinks, PATH=/bin.
func Busybox() (v1.Image, error) {
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		return nil, fmt.Errorf("busybox stand-in needs busybox-static: %w", err)
	}
	b := layer.New()
	if err := b.Add(layer.Entry{Name: "bin/busybox", Type: tar.TypeReg, Mode: 0o755, Data: bb}); err != nil {
		return nil, err
	}
	for _, app := range []string{"sh", "cat", "echo", "printf", "ls", "env", "sleep"} {
		if err := b.Add(layer.Entry{Name: "bin/" + app, Type: tar.TypeSymlink, Linkname: "busybox"}); err != nil {
			return nil, err
		}
	}
	b.Add(layer.Entry{Name: "tmp", Type: tar.TypeDir})
	return image(b, "busybox-static stand-in for a distro base (alpine, ubi-minimal)", []string{"PATH=/bin"})
}

// DistrolessStatic is a stand-in for gcr.io/distroless/static.
func DistrolessStatic() (v1.Image, error) {
	b := layer.New()
	files := map[string]string{
		"etc/passwd":        "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
		"etc/group":         "root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n",
		"etc/nsswitch.conf": "hosts: files dns\n",
		"etc/os-release":    "PRETTY_NAME=\"Distroless static (faas-runtime stand-in)\"\n",
	}
	for n, s := range files {
		if err := b.Add(layer.Entry{Name: n, Type: tar.TypeReg, Mode: 0o644, Data: []byte(s)}); err != nil {
			return nil, err
		}
	}
	for _, d := range []string{"tmp", "home/nonroot", "root", "var/lib"} {
		b.Add(layer.Entry{Name: d, Type: tar.TypeDir})
	}
	if ca, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt"); err == nil {
		b.Add(layer.Entry{Name: "etc/ssl/certs/ca-certificates.crt", Type: tar.TypeReg, Mode: 0o644, Data: ca})
	}
	// tzdata, as distroless ships it (regular files only: Debian's
	// zoneinfo has symlinks into other trees).
	filepath.WalkDir("/usr/share/zoneinfo", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err == nil {
			b.Add(layer.Entry{Name: strings.TrimPrefix(p, "/"), Type: tar.TypeReg, Mode: 0o644, Data: data})
		}
		return nil
	})
	return image(b, "stand-in for gcr.io/distroless/static (passwd, CA certificates, tzdata)", []string{"PATH=/usr/local/bin:/usr/bin:/bin", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"})
}

func image(b *layer.Builder, what string, env []string) (v1.Image, error) {
	gz, err := b.Gzip(epoch, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(gz)), nil }, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: v1.History{Created: v1.Time{Time: epoch}, CreatedBy: "stand-in: " + what}})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Created = "linux", runtime.GOARCH, v1.Time{Time: epoch}
	cf.Config.Env = env
	cf.Config.Labels = map[string]string{Label: what}
	return mutate.ConfigFile(img, cf)
}

// ForArch labels img, a stand-in with no binaries in it (DistrolessStatic),
// as an image for arch.
func ForArch(img v1.Image, arch string) (v1.Image, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Architecture = arch
	return mutate.ConfigFile(img, cf)
}
