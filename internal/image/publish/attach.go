package publish

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/faas-runtime/faas-runtime/internal/image/sign"
)

// Media types of what goes next to an image; the image itself is never
// changed, so its digest stays reproducible.
const (
	SBOMArtifactType = "application/spdx+json"
	// CosignSBOMMediaType is what `cosign attach sbom --type spdx` writes
	// and `cosign download sbom` reads.
	CosignSBOMMediaType = "text/spdx+json"
)

// Attached is one thing pushed next to an image.
type Attached struct {
	Kind   string // "sbom" (OCI referrer), "sbom-tag" (cosign's .sbom tag), "signature"
	Ref    string
	Digest v1.Hash
}

// subjectOf is the descriptor a referrer points at.
func subjectOf(img v1.Image) (v1.Descriptor, error) {
	mt, err := img.MediaType()
	if err != nil {
		return v1.Descriptor{}, err
	}
	raw, err := img.RawManifest()
	if err != nil {
		return v1.Descriptor{}, err
	}
	h, size, err := v1.SHA256(bytes.NewReader(raw))
	return v1.Descriptor{MediaType: mt, Digest: h, Size: size}, err
}

// rawManifest is a manifest we serialized ourselves, for remote.Put.
type rawManifest struct {
	raw []byte
	mt  types.MediaType
}

func (r rawManifest) RawManifest() ([]byte, error)        { return r.raw, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return r.mt, nil }

// emptyConfig is the OCI 1.1 empty descriptor's blob.
var emptyConfig = []byte("{}")

// attachSBOM pushes the SBOM as an OCI 1.1 referrer of the image: an
// artifact manifest (artifactType application/spdx+json, the empty
// config, the SBOM as its one layer, subject = the image). On a registry
// without the referrers API, go-containerregistry keeps the referrers
// tag schema's index (tag sha256-<hex>) up to date instead.
func attachSBOM(repo name.Repository, img v1.Image, sbom []byte, created time.Time, opts []remote.Option) (Attached, error) {
	subj, err := subjectOf(img)
	if err != nil {
		return Attached{}, err
	}
	cfg := static.NewLayer(emptyConfig, types.OCIEmptyJSON)
	blob := static.NewLayer(sbom, SBOMArtifactType)
	for _, l := range []v1.Layer{cfg, blob} {
		if err := remote.WriteLayer(repo, l, opts...); err != nil {
			return Attached{}, fmt.Errorf("sbom blob: %w", err)
		}
	}
	desc := func(l v1.Layer, mt types.MediaType) v1.Descriptor {
		d, _ := l.Digest()
		s, _ := l.Size()
		return v1.Descriptor{MediaType: mt, Digest: d, Size: s}
	}
	ld := desc(blob, SBOMArtifactType)
	ld.Annotations = map[string]string{"org.opencontainers.image.title": "sbom.spdx.json"}
	m := v1.Manifest{
		SchemaVersion: 2, MediaType: types.OCIManifestSchema1, ArtifactType: SBOMArtifactType,
		Config:      desc(cfg, types.OCIEmptyJSON),
		Layers:      []v1.Descriptor{ld},
		Subject:     &subj,
		Annotations: map[string]string{"org.opencontainers.image.created": created.UTC().Format(time.RFC3339)},
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return Attached{}, err
	}
	h, _, _ := v1.SHA256(bytes.NewReader(raw))
	ref := repo.Digest(h.String())
	if err := remote.Put(ref, rawManifest{raw, types.OCIManifestSchema1}, opts...); err != nil {
		return Attached{}, fmt.Errorf("sbom referrer: %w", err)
	}
	return Attached{Kind: "sbom", Ref: ref.String(), Digest: h}, nil
}

// attachSBOMTag also pushes the SBOM the way `cosign attach sbom` does
// (tag sha256-<hex>.sbom, one layer), which is where `cosign download
// sbom` looks.
func attachSBOMTag(repo name.Repository, digest v1.Hash, sbom []byte, opts []remote.Option) (Attached, error) {
	img, err := mutate.Append(ociEmpty(), mutate.Addendum{Layer: static.NewLayer(sbom, CosignSBOMMediaType)})
	if err != nil {
		return Attached{}, err
	}
	return writeTagged(repo, sign.Tag(digest, "sbom"), "sbom-tag", img, opts)
}

// attachSignature signs the image's repository and digest and pushes the
// signature where cosign looks for it (tag sha256-<hex>.sig). An existing
// signature image is replaced, not appended to.
func attachSignature(repo name.Repository, digest v1.Hash, s *sign.Signer, opts []remote.Option) (Attached, error) {
	payload, err := sign.Payload(repo.Name(), digest)
	if err != nil {
		return Attached{}, err
	}
	sig, err := s.Sign(payload)
	if err != nil {
		return Attached{}, err
	}
	img, err := mutate.Append(ociEmpty(), mutate.Addendum{
		Layer:       static.NewLayer(payload, sign.PayloadMediaType),
		Annotations: map[string]string{sign.SignatureAnnotation: sig},
	})
	if err != nil {
		return Attached{}, err
	}
	return writeTagged(repo, sign.Tag(digest, "sig"), "signature", img, opts)
}

func ociEmpty() v1.Image {
	return mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
}

func writeTagged(repo name.Repository, tag, kind string, img v1.Image, opts []remote.Option) (Attached, error) {
	t := repo.Tag(tag)
	if err := remote.Write(t, img, opts...); err != nil {
		return Attached{}, fmt.Errorf("%s %s: %w", kind, t, err)
	}
	d, err := img.Digest()
	if err != nil {
		return Attached{}, err
	}
	return Attached{Kind: kind, Ref: t.String(), Digest: d}, nil
}
