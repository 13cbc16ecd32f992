package installers

// Runs the install lines users copy from docs/installers.md, unchanged,
// with the real microdnf, dnf and apk (2 and 3) in the stand-in bases.

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/scaffold/trust"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/repo"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
	"github.com/faas-runtime/faas-runtime/test/e2e/containers"
)

func TestDocsInstallLines(t *testing.T) {
	containers.NeedPodman(t, "runs the installers in stand-in bases with podman", "curl", "ldd")

	refs := containers.DocsStandIns(t)
	dir := repotest.Dir(t)
	base := containers.Serve(t, publishedAt(dir))
	keys, err := trust.FromFiles([]string{filepath.Join(dir, repo.RPMKey), filepath.Join(dir, repo.AlpineDir, signing.DefaultAPKKeyName)})
	if err != nil {
		t.Fatal(err)
	}
	packaged := containers.ReadFile(t, repotest.RuntimeBinary(t, "amd64"))
	rows := containers.InstallRows(t, filepath.Join(testutil.RepoRoot(t), "docs", "installers.md"))
	t.Logf("docs/installers.md, run as the user copies them with REPO=%s:\nmicrodnf:\n\t%s\ndnf:\n\t%s\napk:\n\t%s", base,
		strings.Join(rows["RHEL / UBI minimal (microdnf)"], "\n\t"), strings.Join(rows["RHEL / UBI / Fedora (dnf)"], "\n\t"),
		strings.Join(rows["Alpine (apk)"], "\n\t"))

	curl := containers.HostCurl(t)

	for _, c := range containers.DocsRows {
		mounts := []string(nil)
		if c.HostCurl {
			mounts = curl
		}
		t.Run(c.Name, func(t *testing.T) {
			lines := rows[c.Row]
			if len(lines) == 0 {
				t.Fatalf("docs/installers.md has no row %q", c.Row)
			}
			env := map[string]string{"REPO": base, "PGP_FPR": keys.PGP.Fingerprint(), "APK_FPR": keys.APK.Fingerprint()}
			out, got, err := containers.RunLines(t, refs[c.StandIn], lines, env, mounts)
			if err != nil {
				t.Fatalf("the lines of %q failed: %v\n%s", c.Row, err, testutil.Tail([]byte(out)))
			}
			if got == nil {
				t.Fatalf("no /usr/bin/faas-runtime after the lines of %q:\n%s", c.Row, testutil.Tail([]byte(out)))
			}
			t.Logf("output:\n%s", testutil.Tail([]byte(out)))
			if sum(got) != sum(packaged) {
				t.Errorf("/usr/bin/faas-runtime (sha256 %s) is not the packaged binary (sha256 %s)", sum(got)[:16], sum(packaged)[:16])
			}

			// Another published fingerprint: the check line stops the
			// lines before any installer runs.
			env["PGP_FPR"], env["APK_FPR"] = strings.Repeat("0", 40), strings.Repeat("0", 64)
			out, got, err = containers.RunLines(t, refs[c.StandIn], lines, env, mounts)
			if err == nil || got != nil {
				t.Errorf("the lines of %q installed with a key whose fingerprint is not the published one:\n%s", c.Row, testutil.Tail([]byte(out)))
			}
			t.Logf("with another fingerprint: %v\n%s", err, testutil.Tail([]byte(out)))
		})
	}
}

// publishedAt serves dir as the repository published at the URL it is
// reached by: rpm/faas-runtime.repo names that URL, as `make repo
// --base-url $REPO` writes it (dist/repo's names the published base URL).
func publishedAt(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/"+repo.RPMRepoFile {
			io.WriteString(w, repo.YumRepoFile("http://"+r.Host))
			return
		}
		files.ServeHTTP(w, r)
	})
}
