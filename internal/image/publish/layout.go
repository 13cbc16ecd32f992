package publish

import (
	"context"
	"os"

	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// Layout writes an OCI image layout directory (umoci, skopeo, buildah and
// podman read it as oci:DIR). index.json lists each image with its platform
// and the ref name Tag-arch; with an index, only the index is listed.
type Layout struct {
	Dir   string
	Tag   string // org.opencontainers.image.ref.name, default "latest"
	Force bool
}

func (l *Layout) Publish(ctx context.Context, imgs []Image, withIndex bool) (*Result, error) {
	tmp, err := prepareTarget(l.Dir, l.Force)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	p, err := layout.Write(tmp, emptyIndex())
	if err != nil {
		return nil, err
	}
	tag := l.Tag
	if tag == "" {
		tag = "latest"
	}
	res := &Result{}
	if withIndex {
		idx := Index(imgs)
		if err := p.AppendIndex(idx, layout.WithAnnotations(map[string]string{refName: tag})); err != nil {
			return nil, err
		}
		d, err := idx.Digest()
		if err != nil {
			return nil, err
		}
		res.Index = &Published{Ref: "oci-layout:" + l.Dir + "@" + tag, Digest: d}
	}
	for _, im := range imgs {
		d, err := im.Image.Digest()
		if err != nil {
			return nil, err
		}
		name := tagFor(tag, im.Arch, len(imgs))
		if !withIndex {
			plat := im.Platform
			if err := p.AppendImage(im.Image, layout.WithPlatform(plat), layout.WithAnnotations(map[string]string{refName: name})); err != nil {
				return nil, err
			}
		} else if err := p.WriteImage(im.Image); err != nil {
			return nil, err
		}
		res.Refs = append(res.Refs, Published{Arch: im.Arch, Ref: "oci-layout:" + l.Dir + "@" + name, Digest: d})
	}
	if err := commit(tmp, l.Dir); err != nil {
		return nil, err
	}
	return res, nil
}

const refName = "org.opencontainers.image.ref.name"

// tagFor names one arch's image: the tag itself for a single arch, else
// tag-arch (Lambda wants one single-arch manifest per tag).
func tagFor(tag, arch string, n int) string {
	if n == 1 {
		return tag
	}
	return tag + "-" + arch
}
