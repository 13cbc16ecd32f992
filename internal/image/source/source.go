// Package source opens the images runtime-init reads: a registry reference,
// oci-layout:DIR, tarball:FILE (docker save format) or scratch. Build asks
// for the image of one platform; inspect asks for every image a source holds.
package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Kinds of source.
const (
	Scratch  = "scratch"
	Layout   = "oci-layout"
	Tarball  = "tarball"
	Registry = "registry"
)

// Ref is a parsed source string.
type Ref struct {
	Kind string
	Path string         // Layout, Tarball
	Name name.Reference // Registry
	Raw  string
}

// Options apply to registry sources.
type Options struct {
	Insecure  bool              // plain HTTP (registries on loopback)
	Transport http.RoundTripper // nil: remote.DefaultTransport
}

// Parse reads "scratch", "oci-layout:DIR", "tarball:FILE" or a registry
// reference.
func Parse(s string, o Options) (Ref, error) {
	switch {
	case s == "":
		return Ref{}, errors.New("empty image reference")
	case s == Scratch:
		return Ref{Kind: Scratch, Raw: s}, nil
	case strings.HasPrefix(s, Layout+":"):
		p := strings.TrimPrefix(s, Layout+":")
		if p == "" {
			return Ref{}, fmt.Errorf("%s: no directory after oci-layout:", s)
		}
		return Ref{Kind: Layout, Path: p, Raw: s}, nil
	case strings.HasPrefix(s, Tarball+":"):
		p := strings.TrimPrefix(s, Tarball+":")
		if p == "" {
			return Ref{}, fmt.Errorf("%s: no file after tarball:", s)
		}
		return Ref{Kind: Tarball, Path: p, Raw: s}, nil
	}
	if r, ok, err := localPath(s); ok || err != nil {
		return r, err
	}
	r, err := name.ParseReference(s)
	if err != nil {
		return Ref{}, fmt.Errorf("%q is not scratch, oci-layout:DIR, tarball:FILE or a registry reference: %w", s, err)
	}
	// Plain HTTP only for a registry on this machine, whatever --insecure says.
	if o.Insecure && IsLoopback(r.Context().RegistryStr()) {
		r, _ = name.ParseReference(s, name.Insecure)
	}
	return Ref{Kind: Registry, Name: r, Raw: s}, nil
}

// IsLoopback reports whether a registry host[:port] is on this machine.
func IsLoopback(host string) bool {
	h := host
	if i := strings.LastIndex(h, ":"); i >= 0 && !strings.HasSuffix(h, "]") {
		h = h[:i]
	}
	h = strings.Trim(h, "[]")
	return h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1"
}

// RemoteOptions are the go-containerregistry options for registry access:
// the default keychain (docker config.json and credential helpers, so
// docker-credential-ecr-login works) and the caller's transport.
func RemoteOptions(ctx context.Context, o Options, extra ...remote.Option) []remote.Option {
	ro := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)}
	if o.Transport != nil {
		ro = append(ro, remote.WithTransport(o.Transport))
	}
	return append(ro, extra...)
}

// Named is one image of a source with a label for reports.
type Named struct {
	Label string
	Image v1.Image
	// Digest of the manifest as the source lists it.
	Digest v1.Hash
	// Platform from the index, when it names one.
	Platform *v1.Platform
}

// Images returns every image in the source: a lone image, or each image of
// an index (nested indexes included), or each image of a tarball.
func Images(ctx context.Context, r Ref, o Options) ([]Named, error) {
	switch r.Kind {
	case Scratch:
		return nil, errors.New("scratch holds no image to inspect")
	case Layout:
		idx, err := openLayout(r.Path)
		if err != nil {
			return nil, err
		}
		return indexImages(r.Raw, idx)
	case Tarball:
		return tarballImages(r)
	}
	desc, err := remote.Get(r.Name, RemoteOptions(ctx, o)...)
	if err != nil {
		return nil, registryErr(r, err)
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, registryErr(r, err)
		}
		return indexImages(r.Raw, idx)
	}
	img, err := desc.Image()
	if err != nil {
		return nil, registryErr(r, err)
	}
	return []Named{{Label: r.Raw, Image: img, Digest: desc.Digest}}, nil
}

func registryErr(r Ref, err error) error {
	if Unreachable(err) {
		return fmt.Errorf("registry %s unreachable: %w", r.Name.Context().RegistryStr(), err)
	}
	return fmt.Errorf("%s: %w", r.Raw, err)
}

// Unreachable reports a network error (refused, unknown host, timeout)
// rather than an answer from the registry.
func Unreachable(err error) bool {
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	return errors.As(err, &oe) || errors.As(err, &de) || (errors.As(err, &ne) && ne.Timeout())
}

func openLayout(dir string) (v1.ImageIndex, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("oci-layout %s: %w", dir, err)
	}
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("oci-layout %s is not an OCI image layout: %w", dir, err)
	}
	return idx, nil
}

func indexImages(label string, idx v1.ImageIndex) ([]Named, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []Named
	for _, d := range im.Manifests {
		switch {
		case d.MediaType.IsIndex():
			child, err := idx.ImageIndex(d.Digest)
			if err != nil {
				return nil, err
			}
			sub, err := indexImages(label, child)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		case d.MediaType.IsImage():
			img, err := idx.Image(d.Digest)
			if err != nil {
				return nil, err
			}
			l := label
			if n := d.Annotations["org.opencontainers.image.ref.name"]; n != "" {
				l += "@" + n
			} else if d.Platform != nil {
				l += "@" + d.Platform.String()
			}
			out = append(out, Named{Label: l, Image: img, Digest: d.Digest, Platform: d.Platform})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no image", label)
	}
	return dedupe(out), nil
}

// dedupe drops an image listed twice (an index beside its own images).
func dedupe(in []Named) []Named {
	seen := map[v1.Hash]bool{}
	var out []Named
	for _, n := range in {
		if !seen[n.Digest] {
			seen[n.Digest] = true
			out = append(out, n)
		}
	}
	return out
}

func tarballImages(r Ref) ([]Named, error) {
	if _, err := os.Stat(r.Path); err != nil {
		return nil, fmt.Errorf("tarball %s: %w", r.Path, err)
	}
	opener := func() (io.ReadCloser, error) { return os.Open(r.Path) }
	m, err := tarball.LoadManifest(opener)
	if err != nil {
		return nil, fmt.Errorf("tarball %s is not a docker-save tarball: %w", r.Path, err)
	}
	var out []Named
	for _, d := range m {
		var tag *name.Tag
		label := r.Raw
		if len(d.RepoTags) > 0 {
			t, err := name.NewTag(d.RepoTags[0])
			if err != nil {
				return nil, err
			}
			tag, label = &t, r.Raw+"@"+d.RepoTags[0]
		} else if len(m) > 1 {
			return nil, fmt.Errorf("tarball %s: an untagged image among several", r.Path)
		}
		img, err := tarball.Image(opener, tag)
		if err != nil {
			return nil, fmt.Errorf("tarball %s: %w", r.Path, err)
		}
		dg, err := img.Digest()
		if err != nil {
			return nil, err
		}
		out = append(out, Named{Label: label, Image: img, Digest: dg})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("tarball %s holds no image", r.Path)
	}
	return out, nil
}

// ForPlatform returns the source's image for platform p, refusing a source
// without it. For scratch it returns nil.
func ForPlatform(ctx context.Context, r Ref, p v1.Platform, o Options) (v1.Image, error) {
	if r.Kind == Scratch {
		return nil, nil
	}
	imgs, err := Images(ctx, r, o)
	if err != nil {
		return nil, err
	}
	var have []string
	for _, n := range imgs {
		got := n.Platform
		if got == nil {
			cf, err := n.Image.ConfigFile()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", n.Label, err)
			}
			if got = cf.Platform(); got == nil {
				got = &v1.Platform{}
			}
		}
		if got.OS == p.OS && got.Architecture == p.Architecture {
			return n.Image, nil
		}
		have = append(have, got.OS+"/"+got.Architecture)
	}
	sort.Strings(have)
	return nil, fmt.Errorf("base %s has no %s/%s image (it has: %s)", r.Raw, p.OS, p.Architecture, strings.Join(have, ", "))
}

// localPath recognises an image on this machine named without a prefix:
// an existing directory with an oci-layout file is oci-layout:DIR, an
// existing file tarball:FILE. Something that looks like a path (./x, /x,
// x/) but is neither is an error here rather than a Docker Hub lookup.
func localPath(s string) (Ref, bool, error) {
	fi, err := os.Stat(s)
	pathLike := strings.HasPrefix(s, "/") || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") ||
		strings.HasSuffix(s, "/") || s == "." || s == ".."
	switch {
	case err == nil && fi.IsDir():
		if _, err := os.Stat(filepath.Join(s, "oci-layout")); err != nil {
			return Ref{}, false, fmt.Errorf("%s is a directory without an oci-layout file: not an OCI image layout", s)
		}
		return Ref{Kind: Layout, Path: s, Raw: Layout + ":" + s}, true, nil
	case err == nil:
		return Ref{Kind: Tarball, Path: s, Raw: Tarball + ":" + s}, true, nil
	case pathLike:
		return Ref{}, false, fmt.Errorf("%s: no such file or directory (an OCI layout directory or a docker-save tarball)", s)
	}
	return Ref{}, false, nil
}
