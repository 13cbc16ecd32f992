package publish_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/faas-runtime/faas-runtime/internal/image/inspect"
	"github.com/faas-runtime/faas-runtime/internal/image/publish"
	"github.com/faas-runtime/faas-runtime/internal/image/sign"
)

// go-containerregistry's registry, with and without the OCI 1.1 referrers
// API (test/e2e uses Debian's docker-registry, which has none). With the
// API the registry indexes the SBOM and no fallback tag is made; without,
// the referrers tag schema's index (tag sha256-<hex>) lists it. Either way
// inspect finds it.
func TestAttachWithAndWithoutReferrersAPI(t *testing.T) {
	for _, api := range []bool{true, false} {
		t.Run(map[bool]string{true: "referrers API", false: "tag schema"}[api], func(t *testing.T) { testAttach(t, api) })
	}
}

func testAttach(t *testing.T, api bool) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(api)))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")

	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	keyFile := filepath.Join(t.TempDir(), "ec.key")
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	signer, err := sign.LoadKey(keyFile, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	sbom := []byte(`{"spdxVersion":"SPDX-2.3"}`)
	p := &publish.Push{Ref: host + "/fn/x:v1", Insecure: true, Signer: signer, Created: time.Unix(1700000000, 0)}
	res, err := p.Publish(context.Background(), []publish.Image{{Arch: "amd64", Image: img, SBOM: sbom}}, false)
	if err != nil {
		t.Fatal(err)
	}
	pub := res.Refs[0]
	var kinds []string
	for _, a := range pub.Attached {
		kinds = append(kinds, a.Kind)
	}
	if strings.Join(kinds, ",") != "sbom,sbom-tag,signature" {
		t.Errorf("attached %v", kinds)
	}

	repo, _ := name.NewRepository(host+"/fn/x", name.Insecure)
	tags, err := remote.List(repo)
	if err != nil {
		t.Fatal(err)
	}
	fallback := false
	for _, tg := range tags {
		fallback = fallback || tg == pub.Digest.Algorithm+"-"+pub.Digest.Hex
	}
	if fallback == api {
		t.Errorf("referrers API %v, fallback tag made %v (tags %v)", api, fallback, tags)
	}
	got, err := inspect.SBOM(repo, pub.Digest, nil)
	if err != nil || string(got) != string(sbom) {
		t.Fatalf("SBOM through the referrers API: %q, %v", got, err)
	}
	refs, err := inspect.Referrers(repo, pub.Digest, nil)
	if err != nil {
		t.Fatal(err)
	}
	var sbomRef *inspect.Referrer
	for i, r := range refs {
		if r.Kind == "sbom" {
			sbomRef = &refs[i]
		}
	}
	if len(refs) != 3 || sbomRef == nil || sbomRef.ArtifactType != publish.SBOMArtifactType {
		t.Fatalf("referrers %+v", refs)
	}
	// The referrer's manifest: empty config, subject = the image.
	ref, _ := remote.Image(repo.Digest(sbomRef.Digest))
	m, _ := ref.Manifest()
	d, _ := img.Digest()
	if m.Subject == nil || m.Subject.Digest != d || m.Config.MediaType != "application/vnd.oci.empty.v1+json" || m.Config.Size != 2 {
		t.Errorf("referrer manifest %+v", m)
	}

	// The signature: cosign's layer and annotation, valid for the key.
	sigImg, err := remote.Image(repo.Tag(sign.Tag(pub.Digest, "sig")))
	if err != nil {
		t.Fatal(err)
	}
	sm, _ := sigImg.Manifest()
	layers, _ := sigImg.Layers()
	if len(sm.Layers) != 1 || sm.Layers[0].MediaType != sign.PayloadMediaType {
		t.Fatalf("signature manifest %+v", sm)
	}
	rc, _ := layers[0].Compressed()
	payload, _ := io.ReadAll(rc)
	pubPEM, _ := signer.Public()
	if err := sign.Verify(pubPEM, payload, sm.Layers[0].Annotations[sign.SignatureAnnotation]); err != nil {
		t.Errorf("signature: %v", err)
	}
	want, _ := sign.Payload(repo.Name(), pub.Digest)
	if string(payload) != string(want) {
		t.Errorf("payload %s", payload)
	}
}
