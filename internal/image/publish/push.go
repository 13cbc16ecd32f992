package publish

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/faas-runtime/faas-runtime/internal/image/sign"
	"github.com/faas-runtime/faas-runtime/internal/image/source"
)

// Push pushes to a registry with the default keychain. One arch goes to Ref;
// several go to Ref-amd64, Ref-arm64 (Lambda refuses an index), and with
// --index an index of them goes to Ref.
type Push struct {
	Ref      string
	Insecure bool
	Progress io.Writer // nil: quiet
	// Transport under the counting one; nil: remote.DefaultTransport.
	Transport http.RoundTripper
	// Signer signs each image cosign's way; nil: unsigned.
	Signer *sign.Signer
	// Created dates the SBOM referrer (SOURCE_DATE_EPOCH).
	Created time.Time
}

func (p *Push) Publish(ctx context.Context, imgs []Image, withIndex bool) (*Result, error) {
	var nopts []name.Option
	if p.Insecure {
		nopts = append(nopts, name.Insecure)
	}
	ref, err := name.NewTag(p.Ref, nopts...)
	if err != nil {
		return nil, fmt.Errorf("--push %q: want a tag reference (registry/repo:tag): %w", p.Ref, err)
	}
	if p.Insecure && !source.IsLoopback(ref.RegistryStr()) {
		return nil, fmt.Errorf("--insecure is for registries on loopback, not %s", ref.RegistryStr())
	}
	base := p.Transport
	if base == nil {
		base = remote.DefaultTransport
	}
	ct := &countingTransport{next: base}
	opts := source.RemoteOptions(ctx, source.Options{Insecure: p.Insecure, Transport: ct})

	// One round trip first, so an unreachable registry or missing
	// credentials fail before anything is uploaded.
	if err := remote.CheckPushPermission(ref, authn.DefaultKeychain, ct); err != nil {
		if source.Unreachable(err) {
			return nil, fmt.Errorf("registry %s unreachable, nothing pushed: %w", ref.RegistryStr(), err)
		}
		return nil, fmt.Errorf("registry %s refused the push, nothing pushed: %w", ref.RegistryStr(), err)
	}

	res := &Result{}
	total := 0
	for _, im := range imgs {
		ls, err := im.Image.Layers()
		if err != nil {
			return nil, err
		}
		total += len(ls)
	}
	for _, im := range imgs {
		tag := ref.Context().Tag(tagFor(ref.TagStr(), im.Arch, len(imgs)))
		var o []remote.Option
		if p.Progress != nil {
			ch := make(chan v1.Update, 16)
			done := make(chan struct{})
			layers, _ := im.Image.Layers()
			go p.report(tag.String(), layers, ch, ct, done)
			o = append(o, remote.WithProgress(ch))
			err = remote.Write(tag, im.Image, append(opts, o...)...)
			<-done
			if err == nil {
				p.summary(tag.String(), layers, ct)
			}
		} else {
			err = remote.Write(tag, im.Image, opts...)
		}
		if err != nil {
			return nil, fmt.Errorf("push %s: %w", tag, err)
		}
		d, err := im.Image.Digest()
		if err != nil {
			return nil, err
		}
		res.Refs = append(res.Refs, Published{Arch: im.Arch, Ref: tag.Context().Digest(d.String()).String(), Digest: d})
	}
	if withIndex {
		idx := Index(imgs)
		if err := remote.WriteIndex(ref, idx, opts...); err != nil {
			return nil, fmt.Errorf("push index %s: %w", ref, err)
		}
		d, err := idx.Digest()
		if err != nil {
			return nil, err
		}
		res.Index = &Published{Ref: ref.Context().Digest(d.String()).String(), Digest: d}
	}
	if p.Progress != nil {
		fmt.Fprintf(p.Progress, "pushed %d layers: %d blobs uploaded (layers and configs), %d already in the registry\n",
			total, ct.uploaded.Load(), ct.existing.Load())
	}
	// The SBOMs and signatures go last, once every image is in place.
	for i, im := range imgs {
		pub := &res.Refs[i]
		if pub.Attached, err = p.attach(ref.Context(), im, pub.Digest, opts); err != nil {
			return nil, fmt.Errorf("push %s: %w", pub.Ref, err)
		}
		for _, a := range pub.Attached {
			if p.Progress != nil {
				fmt.Fprintf(p.Progress, "attached %s to %s: %s\n", a.Kind, pub.Ref, a.Ref)
			}
		}
	}
	return res, nil
}

// attach pushes the SBOM (as a referrer and as cosign's .sbom tag) and
// the signature of one pushed image.
func (p *Push) attach(repo name.Repository, im Image, d v1.Hash, opts []remote.Option) ([]Attached, error) {
	var out []Attached
	if im.SBOM != nil {
		a, err := attachSBOM(repo, im.Image, im.SBOM, p.Created, opts)
		if err != nil {
			return nil, err
		}
		b, err := attachSBOMTag(repo, d, im.SBOM, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, a, b)
	}
	if p.Signer != nil {
		a, err := attachSignature(repo, d, p.Signer, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// report prints the byte progress go-containerregistry sends, at most every
// 10%, with the blobs finished so far.
func (p *Push) report(tag string, layers []v1.Layer, ch <-chan v1.Update, ct *countingTransport, done chan<- struct{}) {
	defer close(done)
	last := int64(-1)
	for u := range ch {
		if u.Error != nil {
			return
		}
		step := int64(0)
		if u.Total > 0 {
			step = u.Complete * 10 / u.Total
		}
		if step != last {
			last = step
			n := 0
			for _, l := range layers {
				if d, err := l.Digest(); err == nil && ct.has(d.String()) {
					n++
				}
			}
			fmt.Fprintf(p.Progress, "push %s: layers %d/%d done, %s / %s\n", tag, n, len(layers), mb(u.Complete), mb(u.Total))
		}
	}
}

// summary is the line after each image: every layer is in the registry now;
// those not uploaded by us were there already.
func (p *Push) summary(tag string, layers []v1.Layer, ct *countingTransport) {
	up := 0
	var size int64
	for _, l := range layers {
		d, _ := l.Digest()
		s, _ := l.Size()
		size += s
		if ct.wasUploaded(d.String()) {
			up++
		}
	}
	fmt.Fprintf(p.Progress, "push %s: layers %d/%d done (%d uploaded, %d already in the registry), %s\n",
		tag, len(layers), len(layers), up, len(layers)-up, mb(size))
}

func mb(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

// countingTransport counts blobs uploaded (a PUT that completes an upload)
// and blobs the registry already had (a HEAD answered 200), for the
// progress line.
type countingTransport struct {
	next               http.RoundTripper
	uploaded, existing atomic.Int64
	mu                 sync.Mutex
	done               map[string]bool // blob digests uploaded (true) or found (false)
}

func (c *countingTransport) has(digest string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.done[digest]
	return ok
}

func (c *countingTransport) wasUploaded(digest string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.done[digest]
}

func (c *countingTransport) mark(digest string, uploaded bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = map[string]bool{}
	}
	c.done[digest] = c.done[digest] || uploaded
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	p := r.URL.Path
	switch {
	case r.Method == http.MethodPut && strings.Contains(p, "/blobs/uploads/") && resp.StatusCode == http.StatusCreated:
		c.uploaded.Add(1)
		c.mark(r.URL.Query().Get("digest"), true)
	case r.Method == http.MethodHead && strings.Contains(p, "/blobs/sha256:") && resp.StatusCode == http.StatusOK:
		c.existing.Add(1)
		c.mark(p[strings.LastIndex(p, "/")+1:], false)
	}
	return resp, nil
}
