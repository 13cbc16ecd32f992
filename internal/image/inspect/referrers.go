package inspect

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/faas-runtime/faas-runtime/internal/image/publish"
	"github.com/faas-runtime/faas-runtime/internal/image/sign"
)

// Referrer is something attached to an image in its registry.
type Referrer struct {
	// Kind: "sbom" (an SPDX OCI referrer), "signature" (cosign's .sig tag),
	// "sbom-tag" (cosign's .sbom tag), or the artifact type of any other
	// referrer.
	Kind         string `json:"kind"`
	ArtifactType string `json:"artifactType,omitempty"`
	Ref          string `json:"ref"`
	Digest       string `json:"digest"`
}

// Referrers lists what is attached to the image repo@digest: OCI
// referrers (through the referrers API, or the tag schema where the
// registry has none) and cosign's tags.
func Referrers(repo name.Repository, digest v1.Hash, opts []remote.Option) ([]Referrer, error) {
	var out []Referrer
	idx, err := remote.Referrers(repo.Digest(digest.String()), opts...)
	if err != nil {
		return nil, fmt.Errorf("referrers of %s@%s: %w", repo, digest, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	for _, d := range im.Manifests {
		if d.ArtifactType == "" || d.ArtifactType == string(types.OCIEmptyJSON) {
			// Some registries index the config's media type instead of
			// the manifest's artifactType: read it from the manifest.
			if at, err := artifactType(repo.Digest(d.Digest.String()), opts); err == nil {
				d.ArtifactType = at
			}
		}
		k := d.ArtifactType
		if k == publish.SBOMArtifactType {
			k = "sbom"
		}
		out = append(out, Referrer{Kind: k, ArtifactType: d.ArtifactType, Ref: repo.Digest(d.Digest.String()).String(), Digest: d.Digest.String()})
	}
	for _, c := range []struct{ suffix, kind string }{{"sbom", "sbom-tag"}, {"sig", "signature"}} {
		t := repo.Tag(sign.Tag(digest, c.suffix))
		d, err := remote.Head(t, opts...)
		if notFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t, err)
		}
		out = append(out, Referrer{Kind: c.kind, Ref: t.String(), Digest: d.Digest.String()})
	}
	return out, nil
}

func artifactType(ref name.Digest, opts []remote.Option) (string, error) {
	desc, err := remote.Get(ref, opts...)
	if err != nil {
		return "", err
	}
	var m v1.Manifest
	if err := json.Unmarshal(desc.Manifest, &m); err != nil {
		return "", err
	}
	return m.ArtifactType, nil
}

func notFound(err error) bool {
	var te *transport.Error
	return errors.As(err, &te) && te.StatusCode == http.StatusNotFound
}

// SBOM returns the SPDX SBOM attached to repo@digest: the OCI referrer's
// blob, else cosign's .sbom tag.
func SBOM(repo name.Repository, digest v1.Hash, opts []remote.Option) ([]byte, error) {
	refs, err := Referrers(repo, digest, opts)
	if err != nil {
		return nil, err
	}
	for _, kind := range []string{"sbom", "sbom-tag"} {
		for _, r := range refs {
			if r.Kind != kind {
				continue
			}
			img, err := remote.Image(repo.Digest(r.Digest), opts...)
			if err != nil {
				return nil, err
			}
			ls, err := img.Layers()
			if err != nil || len(ls) != 1 {
				return nil, fmt.Errorf("%s: want one layer with the SBOM (%v)", r.Ref, err)
			}
			rc, err := ls[0].Compressed()
			if err != nil {
				return nil, err
			}
			defer rc.Close()
			return io.ReadAll(rc)
		}
	}
	return nil, fmt.Errorf("no SBOM attached to %s@%s", repo, digest)
}
