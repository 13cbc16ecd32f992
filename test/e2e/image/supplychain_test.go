package e2e

// Supply chain: what runtime-init build --push attaches is read
// by the ecosystem's own tools against Debian's docker-registry on
// loopback (no referrers API: the tag-schema fallback is what gets used).
// syft and cosign are installed by `make supplychain-tools`.

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/image/inspect"
	"github.com/faas-runtime/faas-runtime/internal/sbom"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// spdxPackages reads the purls of the Go modules in an SPDX JSON document.
func goPURLs(t *testing.T, raw []byte) []string {
	t.Helper()
	var d struct {
		Packages []struct {
			Name         string
			ExternalRefs []struct{ ReferenceType, ReferenceLocator string }
		}
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("not SPDX JSON: %v\n%.500s", err, raw)
	}
	var out []string
	for _, p := range d.Packages {
		for _, r := range p.ExternalRefs {
			if r.ReferenceType == "purl" && strings.HasPrefix(r.ReferenceLocator, "pkg:golang/") {
				out = append(out, r.ReferenceLocator)
			}
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// withoutQualifiers drops ?... from purls (syft adds build settings).
func withoutQualifiers(in []string) []string {
	var out []string
	for _, u := range in {
		u, _, _ = strings.Cut(u, "?")
		out = append(out, u)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// goTools finds tools `make supplychain-tools` installs with go install:
// on PATH, else in $(go env GOPATH)/bin, which CI's PATH may lack.
func goTools(t *testing.T, names ...string) []string {
	t.Helper()
	gobin := ""
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		gobin = filepath.Join(strings.TrimSpace(string(out)), "bin")
	}
	var paths []string
	for _, n := range names {
		p, err := exec.LookPath(n)
		if err != nil {
			p = filepath.Join(gobin, n)
			if _, err := os.Stat(p); err != nil {
				testutil.Unavailable(t, "%s is not installed: run `make supplychain-tools` (make test does)", n)
			}
		}
		paths = append(paths, p)
	}
	return paths
}

// pathWith puts the directories of tools first on PATH, for commands run
// through bash.
func pathWith(tools ...string) string {
	var dirs []string
	for _, p := range tools {
		dirs = append(dirs, filepath.Dir(p))
	}
	return "PATH=" + strings.Join(append(dirs, os.Getenv("PATH")), string(os.PathListSeparator))
}

func run(t *testing.T, env []string, name string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	return testutil.Run(t, cmd)
}

func TestSupplyChainSyftAndCosign(t *testing.T) {
	testutil.Need(t, "docker-registry")
	tools := goTools(t, "syft", "cosign")
	syft, cosign := tools[0], tools[1]
	dir := t.TempDir()
	cli := testutil.GoBuild(t, dir, "./cmd/runtime-init", "runtime-init")
	rt := testutil.GoBuild(t, dir, "./cmd/faas-runtime", "faas-runtime", "GOARCH=amd64")
	// The function is a Go program with many modules (runtime-init
	// itself), so that the image's module lists have something to differ in.
	hello := testutil.GoBuild(t, filepath.Join(dir, "fn"), "./cmd/runtime-init", "handler", "GOARCH=amd64")
	reg := startRegistry(t)

	// Keys from cosign itself: our signer reads its encrypted format.
	pw := []string{"COSIGN_PASSWORD=e2e-pass"}
	keys, other := filepath.Join(dir, "keys"), filepath.Join(dir, "other")
	for _, d := range []string{keys, other} {
		os.MkdirAll(d, 0o755)
		cmd := exec.Command(cosign, "generate-key-pair")
		cmd.Dir, cmd.Env = d, append(os.Environ(), pw...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("cosign generate-key-pair: %v\n%s", err, out)
		}
	}

	ref := reg + "/fn/hello:v1"
	build := func(sbomDir string) string {
		cmd := exec.Command(cli, "build", hello, "--runtime", rt, "--push", ref, "--insecure",
			"--sign-key", filepath.Join(keys, "cosign.key"), "--sbom-dir", sbomDir)
		cmd.Env = append(os.Environ(), append(pw, "SOURCE_DATE_EPOCH=1700000000")...)
		out, errs, code := testutil.Run(t, cmd)
		if code != 0 {
			t.Fatalf("build: exit %d\n%s%s", code, out, errs)
		}
		return out
	}
	out := build(filepath.Join(dir, "sbom1"))
	dig := digestOf(t, out, "amd64")
	byDigest := reg + "/fn/hello@" + dig
	ours, err := os.ReadFile(filepath.Join(dir, "sbom1", "amd64.spdx.json"))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a second build gives the same image and the same SBOM", func(t *testing.T) {
		out2 := build(filepath.Join(dir, "sbom2"))
		again, _ := os.ReadFile(filepath.Join(dir, "sbom2", "amd64.spdx.json"))
		if digestOf(t, out2, "amd64") != dig || !bytes.Equal(again, ours) {
			t.Errorf("rebuild: digest %s (was %s), SBOM identical: %v", digestOf(t, out2, "amd64"), dig, bytes.Equal(again, ours))
		}
	})

	t.Run("our inspect lists the SBOM and the signature and prints the SBOM", func(t *testing.T) {
		var rep inspect.Report
		if err := json.Unmarshal([]byte(mustRun(t, cli, "inspect", "--json", "--insecure", ref)), &rep); err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, r := range rep.Images[0].Referrers {
			kinds = append(kinds, r.Kind)
		}
		if !slices.Contains(kinds, "sbom") || !slices.Contains(kinds, "signature") || !slices.Contains(kinds, "sbom-tag") {
			t.Errorf("referrers %+v", rep.Images[0].Referrers)
		}
		if got := mustRun(t, cli, "inspect", "--sbom", "--insecure", ref); got != string(ours) {
			t.Errorf("inspect --sbom differs from the SBOM written at build time")
		}
	})

	cosignReg := []string{"--allow-insecure-registry", "--allow-http-registry"}
	verify := func(pub string) (string, string, int) {
		args := append([]string{"verify", "--key", pub, "--insecure-ignore-tlog=true"}, cosignReg...)
		return run(t, nil, cosign, append(args, byDigest)...)
	}

	t.Run("cosign verify accepts our signature with our key", func(t *testing.T) {
		o, e, code := verify(filepath.Join(keys, "cosign.pub"))
		if code != 0 || !strings.Contains(o, dig) {
			t.Fatalf("cosign verify: exit %d\n%s%s", code, o, e)
		}
	})

	t.Run("cosign verify refuses another key", func(t *testing.T) {
		o, e, code := verify(filepath.Join(other, "cosign.pub"))
		if code == 0 || !strings.Contains(e, "no matching signatures") {
			t.Fatalf("cosign verify accepted a different key:\n%s%s", o, e)
		}
	})

	t.Run("cosign finds the SBOM", func(t *testing.T) {
		o, e, code := run(t, nil, cosign, append(append([]string{"download", "sbom"}, cosignReg...), byDigest)...)
		if code != 0 || o != string(ours) {
			t.Errorf("cosign download sbom: exit %d, same SBOM %v\n%s", code, o == string(ours), e)
		}
		o, e, code = run(t, nil, cosign, append(append([]string{"tree", "--experimental-oci11"}, cosignReg...), byDigest)...)
		if code != 0 || !strings.Contains(o, sbom.MediaType) {
			t.Errorf("cosign tree: exit %d\n%s%s", code, o, e)
		}
	})

	t.Run("syft reads our SBOMs, SPDX and CycloneDX", func(t *testing.T) {
		for _, f := range []string{"amd64.spdx.json", "amd64.cdx.json"} {
			o, e, code := run(t, nil, syft, "convert", filepath.Join(dir, "sbom1", f), "-o", "syft-json")
			if code != 0 {
				t.Fatalf("syft convert %s: exit %d\n%s", f, code, e)
			}
			if !strings.Contains(o, "pkg:golang/stdlib@") || !strings.Contains(o, "pkg:golang/golang.org/x/") {
				t.Errorf("syft did not see our Go modules in %s:\n%.800s", f, o)
			}
		}
	})

	t.Run("syft finds the Go modules of the image that our SBOM lists", func(t *testing.T) {
		o, e, code := run(t, []string{"SYFT_REGISTRY_INSECURE_USE_HTTP=true", "SYFT_CHECK_FOR_APP_UPDATE=false"},
			syft, "scan", "registry:"+byDigest, "-o", "spdx-json", "-q")
		if code != 0 {
			t.Fatalf("syft scan: exit %d\n%s", code, e)
		}
		if n := len(goPURLs(t, ours)); n < 20 {
			t.Errorf("only %d Go modules in our image SBOM", n)
		}
		compareModules(t, goPURLs(t, []byte(o)), goPURLs(t, ours))
	})

	t.Run("syft finds the Go modules of a binary that our SBOM lists", func(t *testing.T) {
		data, _ := os.ReadFile(cli)
		d, err := sbom.Binary(cli, data, sbom.Options{})
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := sbom.Marshal(d)
		o, e, code := run(t, []string{"SYFT_CHECK_FOR_APP_UPDATE=false"}, syft, "scan", "file:"+cli, "-o", "spdx-json", "-q")
		if code != 0 {
			t.Fatalf("syft scan: exit %d\n%s", code, e)
		}
		compareModules(t, goPURLs(t, []byte(o)), goPURLs(t, raw))
	})
}

// compareModules: every module purl syft reports must be in ours and the
// other way round, except the known differences docs/verify.md explains:
// the main module, which is "(devel)" in a build from a checkout (no
// version in its purl in ours; syft leaves it out or guesses).
func compareModules(t *testing.T, theirs, ours []string) {
	t.Helper()
	theirs, ours = withoutQualifiers(theirs), withoutQualifiers(ours)
	main := func(u string) bool { return strings.HasPrefix(u, "pkg:golang/github.com/faas-runtime/faas-runtime") }
	var onlyTheirs, onlyOurs []string
	for _, u := range theirs {
		if !slices.Contains(ours, u) && !main(u) {
			onlyTheirs = append(onlyTheirs, u)
		}
	}
	for _, u := range ours {
		if !slices.Contains(theirs, u) && !main(u) {
			onlyOurs = append(onlyOurs, u)
		}
	}
	if len(onlyTheirs)+len(onlyOurs) > 0 || len(ours) < 2 {
		t.Errorf("Go modules differ:\nonly syft: %v\nonly ours: %v\n(syft %d, ours %d)", onlyTheirs, onlyOurs, len(theirs), len(ours))
	}
}
