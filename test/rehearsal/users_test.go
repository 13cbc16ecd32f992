package rehearsal

// What a user does with the published release, against its URL: the
// install lines of docs/installers.md as written, and a scaffolded project
// built with podman and invoked.

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/scaffold"
	"github.com/faas-runtime/faas-runtime/internal/scaffold/trust"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
	"github.com/faas-runtime/faas-runtime/test/e2e/containers"
)

// echoHandler answers with the event it was given.
const echoHandler = `package main

import (
	"io"
	"os"
)

func main() { io.Copy(os.Stdout, os.Stdin) }
`

// asUser runs the docs' install lines in the stand-in bases against
// base (the published URL), with the fingerprints of keyFiles as the
// release notes would publish them, and then builds and invokes a
// scaffolded project that installs from base. Each must end with version.
func asUser(t *testing.T, base, version string, keyFiles []string) {
	t.Helper()
	containers.NeedPodman(t, "runs the docs' lines and a scaffolded project's build with podman", "curl", "ldd")
	keys, err := trust.FromFiles(keyFiles)
	if err != nil {
		t.Fatal(err)
	}
	refs := containers.DocsStandIns(t)
	rows := containers.InstallRows(t, filepath.Join(testutil.RepoRoot(t), "docs", "installers.md"))
	curl := containers.HostCurl(t)
	env := map[string]string{"REPO": base, "PGP_FPR": keys.PGP.Fingerprint(), "APK_FPR": keys.APK.Fingerprint()}
	for _, r := range containers.DocsRows {
		t.Run("docs lines, "+r.Name, func(t *testing.T) {
			lines := rows[r.Row]
			if len(lines) == 0 {
				t.Fatalf("docs/installers.md has no row %q", r.Row)
			}
			var mounts []string
			if r.HostCurl {
				mounts = curl
			}
			out, got, err := containers.RunLines(t, refs[r.StandIn], lines, env, mounts)
			if err != nil || got == nil {
				t.Fatalf("the lines of %q with REPO=%s: %v\n%s", r.Row, base, err, testutil.Tail([]byte(out)))
			}
			v := binaryVersion(t, got)
			if v != version {
				t.Errorf("the lines of %q installed faas-runtime %q, want %s", r.Row, v, version)
			}
			t.Logf("faas-runtime %s installed by:\n\t%s\noutput:\n%s", v, strings.Join(lines, "\n\t"), testutil.Tail([]byte(out)))
		})
	}

	t.Run("scaffolded project, alpine exec", func(t *testing.T) {
		cli := testutil.Binary(t, "./cmd/runtime-init")
		dir := filepath.Join(t.TempDir(), "fn")
		args := []string{"scaffold", "--name", "rehearsal-fn", "--base", "alpine", "--arch", "amd64", "--mode", "exec",
			"--lang", "prebuilt", "--repo-url", base}
		for _, k := range keyFiles {
			args = append(args, "--repo-key", k)
		}
		if out, err := exec.Command(cli, append(args, dir)...).CombinedOutput(); err != nil {
			t.Fatalf("runtime-init %v: %v\n%s", args, err, out)
		}
		containers.GoHandler(t, []byte(echoHandler), "amd64", filepath.Join(dir, "function", "handler"))
		// The Dockerfile names alpine:3.22; the apk 2 stand-in takes that name.
		images := scaffold.ImagesFor(scaffold.Options{Base: "alpine", Lang: "prebuilt", Mode: "exec"})
		containers.Podman(t, "tag", refs["alpine-apk2"], images["BASE_IMAGE"])
		// No build arguments: the Dockerfile's FAAS_REPO_URL is the published URL.
		image := (&containers.Builder{Repo: "localhost/faas-rehearsal", NoCache: true}).Build(t, dir, "amd64")
		if v := binaryVersion(t, containers.FileFromImage(t, image, "/usr/bin/faas-runtime")); v != version {
			t.Errorf("the image has faas-runtime %q, want %s", v, version)
		}
		res := containers.Invoke(t, image, []byte(`{"from":"the rehearsal"}`), 3*time.Minute)
		var body struct{ From string }
		if err := json.Unmarshal(res.Body, &body); err != nil || body.From != "the rehearsal" {
			t.Fatalf("response %s: %v", res.Body, err)
		}
		t.Logf("%s, built from %s, answered %s", image, base, res.Body)
	})
}

// binaryVersion runs a faas-runtime binary (amd64, this machine's) for
// the version it reports.
func binaryVersion(t *testing.T, bin []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "faas-runtime")
	if err := os.WriteFile(p, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(repotest.BinaryVersion(p))
}
