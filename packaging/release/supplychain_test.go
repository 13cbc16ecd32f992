package release_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"go.yaml.in/yaml/v3"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/attest"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// supplyConfig is the supply-chain part of .goreleaser.yaml: checksums,
// SBOMs and signatures.
type supplyConfig struct {
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
		ExtraFiles   []struct {
			Glob string `yaml:"glob"`
		} `yaml:"extra_files"`
	} `yaml:"checksum"`
	Sboms []struct {
		ID        string   `yaml:"id"`
		Cmd       string   `yaml:"cmd"`
		Args      []string `yaml:"args"`
		Artifacts string   `yaml:"artifacts"`
		Documents []string `yaml:"documents"`
	} `yaml:"sboms"`
	Signs []struct {
		ID        string   `yaml:"id"`
		Cmd       string   `yaml:"cmd"`
		Args      []string `yaml:"args"`
		Artifacts string   `yaml:"artifacts"`
		Signature string   `yaml:"signature"`
	} `yaml:"signs"`
}

// GoReleaser's release and faas-pkg's agree: the same checksum file name,
// signed by faas-pkg with the release key into the same .asc, and SPDX
// JSON SBOMs named <file>.spdx.json as packaging/attest names them.
func TestGoReleaserSupplyChainAgreesWithFaasPkg(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c supplyConfig
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	if c.Checksum.NameTemplate != attest.Checksums {
		t.Errorf("checksum.name_template %q, want %q", c.Checksum.NameTemplate, attest.Checksums)
	}
	if len(c.Signs) != 1 {
		t.Fatalf("signs: %d sections, want one (the checksum file)", len(c.Signs))
	}
	s := c.Signs[0]
	if s.Artifacts != "checksum" || s.Signature != "${artifact}.asc" || s.Cmd != "go" ||
		!slices.Equal(s.Args, []string{"run", "./cmd/faas-pkg", "sign", "${artifact}", "${signature}"}) {
		t.Errorf("signs: %+v, want faas-pkg sign of the checksum file into ${artifact}.asc", s)
	}
	if !strings.HasSuffix(attest.Signature, ".asc") || strings.TrimSuffix(attest.Signature, ".asc") != attest.Checksums {
		t.Errorf("attest names %s and %s", attest.Checksums, attest.Signature)
	}
	kinds := map[string]bool{}
	for _, sb := range c.Sboms {
		kinds[sb.Artifacts] = true
		if len(sb.Documents) != 1 || !strings.HasSuffix(sb.Documents[0], attest.SBOMExtension) ||
			!slices.Contains(sb.Args, "spdx-json=$document") {
			t.Errorf("sboms %s: documents %v args %v, want SPDX JSON in <file>%s", sb.ID, sb.Documents, sb.Args, attest.SBOMExtension)
		}
	}
	if !kinds["archive"] {
		t.Errorf("sboms: no SBOM of the archives (%v)", kinds)
	}
}

// checkSnapshotSupplyChain checks what the signs: and sboms: sections made
// in a snapshot (TestVersionsAgreeBetweenTags runs the one snapshot):
// SHA256SUMS over the archives, faas-pkg's packages and the SBOMs, and
// SHA256SUMS.asc, a good signature by the release key of work/dist/keys.
func checkSnapshotSupplyChain(t *testing.T, work, dist, version string) {
	t.Helper()
	sums := readFile(t, filepath.Join(dist, attest.Checksums))
	listed := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		if sum, name, ok := strings.Cut(line, "  "); ok {
			listed[name] = sum
		}
	}
	archive := "faas-runtime_" + version + "_linux_amd64.tar.gz"
	for _, want := range []string{archive, archive + attest.SBOMExtension} {
		if listed[want] == "" {
			t.Errorf("%s does not list %s:\n%s", attest.Checksums, want, sums)
		}
	}
	if sum := sha256.Sum256(readFile(t, filepath.Join(dist, archive))); hex.EncodeToString(sum[:]) != listed[archive] {
		t.Errorf("%s: checksum differs", archive)
	}
	pkgs, sboms := 0, 0
	for name := range listed {
		switch {
		case strings.HasSuffix(name, ".deb.spdx.json"), strings.HasSuffix(name, ".rpm.spdx.json"):
			sboms++
		case strings.HasSuffix(name, ".deb"), strings.HasSuffix(name, ".rpm"):
			pkgs++
		}
	}
	if pkgs == 0 || sboms != pkgs {
		t.Errorf("%s lists %d deb/rpm packages and %d of their SBOMs", attest.Checksums, pkgs, sboms)
	}
	keys, err := signing.Load(func(string) string { return "" }, filepath.Join(work, "dist", "keys"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := keys.PublicPGP(false)
	ring, err := openpgp.ReadKeyRing(bytes.NewReader(pub))
	if err != nil {
		t.Fatal(err)
	}
	sig := readFile(t, filepath.Join(dist, attest.Signature))
	if _, err := openpgp.CheckArmoredDetachedSignature(ring, bytes.NewReader(sums), bytes.NewReader(sig), nil); err != nil {
		t.Errorf("%s: %v", attest.Signature, err)
	}
}
