// Package publish writes built images to exactly one place: a registry
// (push), an OCI image layout directory or a docker-save tarball. Each is a
// Publisher; the CLI picks one from --push, --oci-layout or --tarball.
package publish

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Image is one single-arch image to publish.
type Image struct {
	Arch     string
	Platform v1.Platform
	Image    v1.Image
	// SBOM (SPDX JSON) to attach when pushing; nil: none. Other outputs
	// ignore it (the image is the same either way).
	SBOM []byte
}

// Result says where each image went.
type Result struct {
	Refs  []Published
	Index *Published // with --index
}

// Published is one written manifest.
type Published struct {
	Arch   string // empty for the index
	Ref    string // where to find it
	Digest v1.Hash
	// Pushed next to the image: SBOM referrer, cosign tags.
	Attached []Attached
}

// Publisher writes the images of one build.
type Publisher interface {
	Publish(ctx context.Context, imgs []Image, withIndex bool) (*Result, error)
}

// Index wraps single-arch images in an OCI image index, for users who are
// not Lambda (Lambda itself refuses indexes).
func Index(imgs []Image) v1.ImageIndex {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, im := range imgs {
		p := im.Platform
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: im.Image, Descriptor: v1.Descriptor{Platform: &p}})
	}
	return idx
}

// prepareTarget refuses to overwrite dst without force and returns a
// temporary path next to it: the output appears whole or not at all.
func prepareTarget(dst string, force bool) (string, error) {
	if _, err := os.Lstat(dst); err == nil && !force {
		return "", fmt.Errorf("%s exists: pass --force to replace it", dst)
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(dir, "."+filepath.Base(dst)+".tmp-")
	if err != nil {
		return "", err
	}
	// MkdirTemp makes it 0700; renamed into place as an OCI layout it must
	// be readable as any other output directory.
	return tmp, os.Chmod(tmp, 0o755)
}

// commit moves tmp to dst, replacing dst (only reached with --force when it
// exists).
func commit(tmp, dst string) error {
	if _, err := os.Lstat(dst); err == nil {
		old := tmp + ".old"
		if err := os.Rename(dst, old); err != nil {
			return err
		}
		if err := os.Rename(tmp, dst); err != nil {
			os.Rename(old, dst)
			return err
		}
		return os.RemoveAll(old)
	}
	return os.Rename(tmp, dst)
}
