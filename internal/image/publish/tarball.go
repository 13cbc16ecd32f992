package publish

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Tarball writes a docker-save tarball (podman load, docker load), each
// image tagged Repo:tag or Repo:tag-arch. The format holds no index.
type Tarball struct {
	File  string
	Repo  string // default "faas-function:latest"
	Force bool
}

func (t *Tarball) Publish(ctx context.Context, imgs []Image, withIndex bool) (*Result, error) {
	if withIndex {
		return nil, fmt.Errorf("--index: a docker-save tarball cannot hold an index (use --oci-layout or --push)")
	}
	repo := t.Repo
	if repo == "" {
		repo = "faas-function:latest"
	}
	base, err := name.NewTag(repo)
	if err != nil {
		return nil, fmt.Errorf("--tag %q: %w", repo, err)
	}
	refs := map[name.Reference]v1Image{}
	res := &Result{}
	for _, im := range imgs {
		tag := base.Context().Tag(tagFor(base.TagStr(), im.Arch, len(imgs)))
		refs[tag] = im.Image
		d, err := im.Image.Digest()
		if err != nil {
			return nil, err
		}
		res.Refs = append(res.Refs, Published{Arch: im.Arch, Ref: "tarball:" + t.File + "@" + tag.String(), Digest: d})
	}
	tmp, err := prepareTarget(t.File, t.Force)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "image.tar")
	if err := tarball.MultiRefWriteToFile(out, refs); err != nil {
		return nil, err
	}
	if err := os.Rename(out, t.File); err != nil {
		return nil, err
	}
	return res, nil
}
