package repo_test

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/repo"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
)

// The published key and signatures, as real gpg lists their packets, keep
// the rules every rpm generation accepts (repotest.OpenPGPProblems): the
// key, repomd.xml.asc, InRelease, Release.gpg and the header signature of
// every published rpm.
func TestPublishedOpenPGPRules(t *testing.T) {
	testutil.Need(t, "gpg", "rpm")
	dir := repotest.Dir(t)
	pkgs, m := manifest(t)
	dists := filepath.Join(dir, repo.DebDir, "dists", repo.DebSuite)
	sigs := []string{
		filepath.Join(dir, repo.RPMDir, "repodata", "repomd.xml.asc"),
		filepath.Join(dists, "InRelease"),
		filepath.Join(dists, "Release.gpg"),
	}
	for _, a := range m.Find("rpm", "", "") {
		// The header's OpenPGP signature (RPMTAG_RSAHEADER), which rpm -K checks.
		out := run(t, "", nil, "rpm", "-qp", "--nosignature", "--qf", "%{RSAHEADER}", filepath.Join(pkgs, a.Path))
		sig, err := hex.DecodeString(strings.TrimSpace(out))
		if err != nil || len(sig) == 0 {
			t.Fatalf("%s: no header signature (%v): %q", a.Path, err, out)
		}
		p := filepath.Join(t.TempDir(), filepath.Base(a.Path)+".sig")
		os.WriteFile(p, sig, 0o644)
		sigs = append(sigs, p)
	}
	repotest.CheckOpenPGP(t, filepath.Join(dir, repo.RPMKey), sigs...)
}
