// Package e2e builds scaffolded projects into real images with podman and
// runs them against the Runtime API emulator: the Debian builder stage is
// a debootstrap'd bookworm (a real debian:12-slim equivalent), faas-runtime
// comes from our signed apt repository served on 127.0.0.1 (or a local
// .deb), and the final base is a labelled stand-in for distroless static,
// which cannot be pulled here. arm64 runs under qemu-user-static.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/image/standin"
	"github.com/faas-runtime/faas-runtime/internal/scaffold"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
	"github.com/faas-runtime/faas-runtime/test/e2e/containers"
)

// The scaffolded builds keep buildah's layer cache: they test the
// Dockerfiles, not the installers (test/e2e/installers does).
var builder = &containers.Builder{Repo: "localhost/faas-scaffold-e2e"}

// invokeWithin bounds one invocation of a built image (arm64 under qemu
// included).
const invokeWithin = 2 * time.Minute

func TestMain(m *testing.M) {
	code := m.Run()
	testutil.CleanupBinaries()
	os.Exit(code)
}

func TestScaffoldedDistrolessImages(t *testing.T) {
	testutil.NeedRoot(t)
	testutil.Need(t, "podman", "skopeo", "debootstrap", "tar")
	testutil.LockPodman(t)
	t.Setenv("CONTAINERS_CONF", filepath.Join(testutil.RepoRoot(t), "scripts", "containers.conf"))

	repoURL := repotest.ServeRepo(t)
	pkgDir, packages := repotest.Packages(t)
	importDebian(t, scaffold.DebianImage)
	cli := testutil.Binary(t, "./cmd/runtime-init")
	distroless, err := standin.DistrolessStatic()
	if err != nil {
		t.Fatal(err)
	}
	baseRef := scaffold.ImagesFor(scaffold.Options{Base: "distroless", Lang: "prebuilt"})["BASE_IMAGE"]

	for _, arch := range []string{"amd64", "arm64"} {
		t.Run(arch, func(t *testing.T) {
			if arch == "arm64" {
				testutil.NeedArm64(t)
			}
			// The Dockerfile names distroless by tag; the stand-in for
			// this arch takes that tag for the builds below.
			loadStandIn(t, distroless, arch, baseRef)
			debs := packages.Find("deb", "faas-runtime", arch)
			if len(debs) != 1 {
				t.Fatalf("no faas-runtime .deb for %s in %s", arch, pkgDir)
			}
			deb := filepath.Join(pkgDir, debs[0].Path)

			t.Run("exec, runtime from the apt repository", func(t *testing.T) {
				dir := containers.ScaffoldProject(t, cli, "--base", "distroless", "--arch", arch, "--mode", "exec", "--lang", "prebuilt")
				containers.GeneratedGoHandler(t, cli, "exec", arch, filepath.Join(dir, "function", "handler"))
				image := builder.Build(t, dir, arch, "FAAS_REPO_URL="+repoURL)
				checkImage(t, image, arch)
				res := containers.Invoke(t, image, containers.ReadFile(t, filepath.Join(dir, "events", "event.json")), invokeWithin)
				var body struct{ Message, RequestID string }
				if err := json.Unmarshal(res.Body, &body); err != nil || body.Message != "hello, Lambda" || body.RequestID != res.RequestID {
					t.Fatalf("response %s (request %s): %v", res.Body, res.RequestID, err)
				}
			})

			t.Run("README walkthrough: runtime-init invoke --runtime runs the image", func(t *testing.T) {
				// As README's "Scaffold a function image" shows it: a wrapper
				// that runs the image is the runtime behind runtime-init's
				// emulator.
				dir := containers.ScaffoldProject(t, cli, "--base", "distroless", "--arch", arch, "--mode", "exec", "--lang", "prebuilt")
				containers.GeneratedGoHandler(t, cli, "exec", arch, filepath.Join(dir, "function", "handler"))
				image := builder.Build(t, dir, arch, "FAAS_REPO_URL="+repoURL)
				wrapper := filepath.Join(dir, "run-image.sh")
				name := fmt.Sprintf("faas-scaffold-walkthrough-%d", time.Now().UnixNano())
				t.Cleanup(func() { exec.Command("podman", "rm", "-f", "-t", "0", name).Run() })
				script := "#!/bin/sh\nexec podman run --rm --name " + name + " --network host --pull=never -e AWS_LAMBDA_RUNTIME_API " + image + " \"$@\"\n"
				if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command(cli, "invoke", "--timeout", "60s", "--runtime", "./run-image.sh", "--event", "events/event.json", "--", "/var/task/handler")
				cmd.Dir = dir
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				if err != nil || !bytes.Contains(out, []byte(`{"message":"hello, Lambda","requestId":"`)) {
					t.Fatalf("runtime-init invoke --runtime ./run-image.sh: %v\nstdout: %s\nstderr: %s", err, out, testutil.Tail(stderr.Bytes()))
				}
			})

			if arch == "amd64" {
				t.Run("go: the function compiled by the Dockerfile's golang stage", func(t *testing.T) {
					golangStandIn(t, scaffold.DebianImage, scaffold.GolangImage)
					dir := containers.ScaffoldProject(t, cli, "--base", "distroless", "--arch", arch, "--mode", "exec", "--lang", "go")
					image := builder.Build(t, dir, arch, "FAAS_REPO_URL="+repoURL)
					checkImage(t, image, arch)
					res := containers.Invoke(t, image, []byte(`{"name":"golang stage"}`), invokeWithin)
					if !bytes.Contains(res.Body, []byte(`"message":"hello, golang stage"`)) {
						t.Fatalf("response %s", res.Body)
					}
				})
			}

			if arch == "amd64" {
				// Release after release: the repository also holds 0.2.0 now; a
				// project pinned to 0.1.0 still builds 0.1.0 and runs, an
				// unpinned one gets 0.2.0 (packaging/repotest.HistoryRepo).
				t.Run("pinned to 0.1.0 after 0.2.0 is published", func(t *testing.T) {
					histURL := repotest.Serve(t, repotest.HistoryRepo(t).Dir)
					dir := containers.ScaffoldProject(t, cli, "--base", "distroless", "--arch", arch, "--mode", "exec", "--lang", "prebuilt")
					containers.GeneratedGoHandler(t, cli, "exec", arch, filepath.Join(dir, "function", "handler"))
					for _, c := range []struct{ pin, want string }{{"0.1.0", "0.1.0"}, {"", "0.2.0"}} {
						image := builder.Build(t, dir, arch, "FAAS_REPO_URL="+histURL, "FAAS_RUNTIME_VERSION="+c.pin)
						out := containers.Podman(t, "run", "--rm", "--pull=never", "--entrypoint", "/usr/bin/faas-runtime", image, "--version")
						if !strings.Contains(out, c.want) {
							t.Errorf("FAAS_RUNTIME_VERSION=%q: the image's faas-runtime --version = %q, want %s", c.pin, out, c.want)
						}
						t.Logf("FAAS_RUNTIME_VERSION=%q: %s", c.pin, strings.TrimSpace(out))
						res := containers.Invoke(t, image, []byte(`{"name":"pinned"}`), invokeWithin)
						if !bytes.Contains(res.Body, []byte(`"message":"hello, pinned"`)) {
							t.Fatalf("FAAS_RUNTIME_VERSION=%q: response %s", c.pin, res.Body)
						}
					}
				})
			}

			t.Run("exec, runtime from a local .deb", func(t *testing.T) {
				dir := containers.ScaffoldProject(t, cli, "--base", "distroless", "--arch", arch, "--mode", "exec", "--lang", "prebuilt")
				containers.GeneratedGoHandler(t, cli, "exec", arch, filepath.Join(dir, "function", "handler"))
				containers.CopyFile(t, deb, filepath.Join(dir, "packages", filepath.Base(deb)), 0o644)
				// An unreachable repository proves the local package is used.
				image := builder.Build(t, dir, arch, "FAAS_REPO_URL=http://127.0.0.1:9", "FAAS_RUNTIME_PACKAGE="+filepath.Base(deb))
				res := containers.Invoke(t, image, []byte(`{"name":"local"}`), invokeWithin)
				if !bytes.Contains(res.Body, []byte(`"message":"hello, local"`)) {
					t.Fatalf("response %s", res.Body)
				}
			})

			t.Run("http, runtime from the apt repository", func(t *testing.T) {
				dir := containers.ScaffoldProject(t, cli, "--base", "distroless", "--arch", arch, "--mode", "http", "--lang", "prebuilt")
				containers.GeneratedGoHandler(t, cli, "http", arch, filepath.Join(dir, "function", "handler"))
				image := builder.Build(t, dir, arch, "FAAS_REPO_URL="+repoURL)
				res := containers.Invoke(t, image, containers.ReadFile(t, filepath.Join(dir, "events", "event.json")), invokeWithin)
				var resp struct {
					StatusCode int    `json:"statusCode"`
					Body       string `json:"body"`
				}
				if err := json.Unmarshal(res.Body, &resp); err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Body, `"message":"hello, Lambda"`) {
					t.Fatalf("response %s: %v", res.Body, err)
				}
			})
		})
	}

	t.Run("refused: a .deb for another arch", func(t *testing.T) {
		loadStandIn(t, distroless, "amd64", baseRef)
		other := packages.Find("deb", "faas-runtime", "arm64")
		dir := containers.ScaffoldProject(t, cli, "--base", "distroless", "--arch", "amd64", "--lang", "prebuilt")
		containers.CopyFile(t, filepath.Join(pkgDir, other[0].Path), filepath.Join(dir, "packages", "other.deb"), 0o644)
		_, out, err := builder.TryBuild(t, dir, "amd64", "FAAS_RUNTIME_PACKAGE=other.deb")
		if err == nil || !strings.Contains(out, "is for arm64, not amd64") {
			t.Fatalf("build with an arm64 .deb for amd64: %v\n%s", err, testutil.Tail([]byte(out)))
		}
	})

	t.Run("refused: a repository signed by another key", func(t *testing.T) {
		loadStandIn(t, distroless, "amd64", baseRef)
		// Our repository as it is, but the key pinned in the project is
		// Debian's own: a real key that did not sign our Release file.
		wrongKey, err := os.ReadFile("/usr/share/keyrings/debian-archive-keyring.gpg")
		if err != nil {
			testutil.Unavailable(t, "debian-archive-keyring is not installed: %v", err)
		}
		dir := containers.ScaffoldProject(t, cli, "--base", "distroless", "--arch", "amd64", "--lang", "prebuilt")
		if err := os.WriteFile(filepath.Join(dir, "keys", "faas-runtime-archive-keyring.gpg"), wrongKey, 0o644); err != nil {
			t.Fatal(err)
		}
		_, out, err := builder.TryBuild(t, dir, "amd64", "FAAS_REPO_URL="+repoURL)
		if err == nil || !strings.Contains(out, "NO_PUBKEY") {
			t.Fatalf("build against a repository with the wrong key: %v\n%s", err, testutil.Tail([]byte(out)))
		}
	})
}

// checkImage reads the built image's config: one platform, non-root, the
// runtime as entrypoint.
func checkImage(t *testing.T, image, arch string) {
	t.Helper()
	var info []struct {
		Architecture string
		Os           string
		Config       struct {
			User       string
			Entrypoint []string
			Cmd        []string
			WorkingDir string
			Env        []string
		}
	}
	if err := json.Unmarshal([]byte(containers.Podman(t, "image", "inspect", image)), &info); err != nil || len(info) != 1 {
		t.Fatalf("podman image inspect: %v", err)
	}
	c := info[0].Config
	if info[0].Architecture != arch || info[0].Os != "linux" || c.User != "65532:65532" || c.WorkingDir != "/var/task" ||
		strings.Join(c.Entrypoint, " ") != "/usr/bin/faas-runtime" || strings.Join(c.Cmd, " ") != "/var/task/handler" {
		t.Errorf("image config: %s/%s %+v", info[0].Os, info[0].Architecture, c)
	}
}
