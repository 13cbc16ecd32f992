// Package installers builds scaffolded UBI and Alpine projects with the
// real installers — microdnf 3.10.1, dnf 4, apk-tools 2.14.10 and 3.0.6 —
// on stand-in bases (scripts/standin-bases.sh: Debian bookworm underneath,
// labelled "real installer, not the real distribution"), runs each image
// with podman against the Runtime API emulator and invokes it. faas-runtime
// comes from `make repo`'s signed repository served on 127.0.0.1, or from
// a package file in the project's packages/. arm64 runs under qemu.
package installers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/scaffold"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
	"github.com/faas-runtime/faas-runtime/test/e2e/containers"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testutil.CleanupBinaries()
	os.Exit(code)
}

// A base is one scaffold --base with the installer its Dockerfile runs.
type base struct {
	name     string            // subtest name
	scaffold string            // scaffold --base
	standIns map[string]string // Dockerfile ARG -> stand-in (scripts/standin-bases.sh name)
	pkg      string            // package format in dist/packages
	refusal  []string          // the installer's words when the repository's key is another one
}

var bases = []base{
	{"ubi-minimal stand-in, microdnf", "ubi-minimal", map[string]string{"BASE_IMAGE": "ubi-minimal"}, "rpm",
		[]string{"GPG signature verification error", "Bad GPG signature", "GPG check FAILED", "public key"}},
	// provided.al2023 cannot be pulled here: its stand-in is the ubi-minimal
	// one (the real microdnf 3.10.1 on libdnf 0.69, as AL2023's; Debian
	// bookworm's rpm 4.18 where AL2023 has 4.16, whose signature checks
	// packaging/repo TestRPMGenerations covers with bullseye's 4.16; no
	// /lambda-entrypoint.sh, which the image does not use).
	{"al2023 stand-in (the ubi-minimal one), microdnf", "al2023", map[string]string{"BASE_IMAGE": "ubi-minimal"}, "rpm",
		[]string{"GPG signature verification error", "Bad GPG signature", "GPG check FAILED", "public key"}},
	{"ubi-micro stand-in, dnf --installroot", "ubi-micro", map[string]string{"BASE_IMAGE": "ubi-micro", "UBI_IMAGE": "ubi"}, "rpm",
		[]string{"GPG signature verification error", "Bad GPG signature", "GPG check FAILED", "are not correct"}},
	{"alpine stand-in, apk 2", "alpine", map[string]string{"BASE_IMAGE": "alpine-apk2"}, "apk",
		[]string{"UNTRUSTED signature", "BAD signature"}},
	{"alpine stand-in, apk 3", "alpine", map[string]string{"BASE_IMAGE": "alpine-apk3"}, "apk",
		[]string{"UNTRUSTED signature", "BAD signature", "untrusted"}},
}

// uidHandler is an exec-mode function that answers with the uid it runs
// as and the event it got.
const uidHandler = `package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	event, _ := io.ReadAll(os.Stdin)
	fmt.Printf("{\"uid\":%d,\"gid\":%d,\"event\":%s}", os.Getuid(), os.Getgid(), event)
}
`

func TestInstallers(t *testing.T) {
	containers.NeedPodman(t, "builds stand-in bases and images with podman")

	repoURL := repotest.ServeRepo(t)
	pkgDir, packages := repotest.Packages(t)
	cli := testutil.Binary(t, "./cmd/runtime-init")

	for _, arch := range installerArches {
		t.Run(arch, func(t *testing.T) {
			if arch == "arm64" {
				testutil.NeedArm64(t)
			}
			var names []string
			for _, b := range bases {
				for _, n := range b.standIns {
					names = append(names, n)
				}
			}
			refs := containers.StandIns(t, arch, names...)
			// ubi-micro's dnf --installroot stage runs on the build
			// machine's platform (--forcearch): its UBI is this machine's.
			hostUBI := refs["ubi"]
			if arch != runtime.GOARCH {
				hostUBI = containers.StandIns(t, runtime.GOARCH, "ubi")["ubi"]
			}
			packaged := containers.ReadFile(t, repotest.RuntimeBinary(t, arch))

			for _, b := range bases {
				t.Run(b.name, func(t *testing.T) {
					// The Dockerfile names the real bases; the stand-ins take
					// those references for this arch's builds.
					r := refs
					if b.scaffold == "ubi-micro" {
						r = maps.Clone(refs)
						r["ubi"] = hostUBI
					}
					useStandIns(t, b, arch, r)
					finalBase := refs[b.standIns["BASE_IMAGE"]]

					t.Run("exec, from the repository", func(t *testing.T) {
						dir := containers.ScaffoldProject(t, cli, "--base", b.scaffold, "--arch", arch, "--mode", "exec", "--lang", "prebuilt")
						containers.GoHandler(t, []byte(uidHandler), arch, filepath.Join(dir, "function", "handler"))
						image := builder.Build(t, dir, arch, "FAAS_REPO_URL="+repoURL)
						checkInstalled(t, image, finalBase, arch, packaged)
						res := containers.Invoke(t, image, []byte(`{"name":"installers"}`), invokeWithin)
						var body struct {
							UID, GID int
							Event    struct{ Name string }
						}
						if err := json.Unmarshal(res.Body, &body); err != nil || body.UID != 65532 || body.GID != 65532 || body.Event.Name != "installers" {
							t.Fatalf("response %s: %v (want uid and gid 65532)", res.Body, err)
						}
						if b.scaffold == "al2023" {
							// The base's /lambda-entrypoint.sh runs /var/runtime/bootstrap.
							// The last line: for arm64, podman first warns that the
							// image's platform is not the machine's.
							out := strings.TrimSpace(containers.Podman(t, "run", "--rm", "--pull=never", "--entrypoint", "readlink", image, "/var/runtime/bootstrap"))
							if out[strings.LastIndex(out, "\n")+1:] != "/usr/bin/faas-runtime" {
								t.Fatalf("/var/runtime/bootstrap links to %q, want /usr/bin/faas-runtime", out)
							}
						}
					})

					t.Run("refused: a repository signed by another key", func(t *testing.T) {
						dir := containers.ScaffoldProject(t, cli, "--base", b.scaffold, "--arch", arch, "--mode", "exec", "--lang", "prebuilt")
						containers.GoHandler(t, []byte(uidHandler), arch, filepath.Join(dir, "function", "handler"))
						url := wrongKeyRepo(t, dir)
						_, out, err := builder.TryBuild(t, dir, arch, "FAAS_REPO_URL="+url)
						if err == nil {
							t.Fatalf("the build installed from a repository whose key is another one:\n%s", testutil.Tail([]byte(out)))
						}
						for _, w := range b.refusal {
							if strings.Contains(out, w) {
								t.Logf("refused by the installer: %s", line(out, w))
								return
							}
						}
						t.Fatalf("the build failed, but without the installer's signature error (%q):\n%s", b.refusal, testutil.Tail([]byte(out)))
					})

					if arch != "amd64" {
						return // one arm64 project per base, and its refusal
					}

					t.Run("http, from the repository", func(t *testing.T) {
						dir := containers.ScaffoldProject(t, cli, "--base", b.scaffold, "--arch", arch, "--mode", "http", "--lang", "prebuilt")
						containers.GeneratedGoHandler(t, cli, "http", arch, filepath.Join(dir, "function", "handler"))
						image := builder.Build(t, dir, arch, "FAAS_REPO_URL="+repoURL)
						checkInstalled(t, image, finalBase, arch, packaged)
						res := containers.Invoke(t, image, containers.ReadFile(t, filepath.Join(dir, "events", "event.json")), invokeWithin)
						var resp struct {
							StatusCode int    `json:"statusCode"`
							Body       string `json:"body"`
						}
						if err := json.Unmarshal(res.Body, &resp); err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Body, `"message":"hello, Lambda"`) {
							t.Fatalf("response %s: %v", res.Body, err)
						}
					})

					t.Run("exec, from a package file in packages/", func(t *testing.T) {
						arts := packages.Find(b.pkg, "faas-runtime", arch)
						if len(arts) != 1 {
							t.Fatalf("no faas-runtime %s for %s in %s", b.pkg, arch, pkgDir)
						}
						file := filepath.Base(arts[0].Path)
						dir := containers.ScaffoldProject(t, cli, "--base", b.scaffold, "--arch", arch, "--mode", "exec", "--lang", "prebuilt")
						containers.GoHandler(t, []byte(uidHandler), arch, filepath.Join(dir, "function", "handler"))
						containers.CopyFile(t, filepath.Join(pkgDir, arts[0].Path), filepath.Join(dir, "packages", file), 0o644)
						// An unreachable repository proves the file is what is installed.
						image := builder.Build(t, dir, arch, "FAAS_REPO_URL=http://127.0.0.1:9", "FAAS_RUNTIME_PACKAGE="+file)
						checkInstalled(t, image, finalBase, arch, packaged)
						res := containers.Invoke(t, image, []byte(`{"name":"local"}`), invokeWithin)
						if !bytes.Contains(res.Body, []byte(`"uid":65532`)) || !bytes.Contains(res.Body, []byte(`"name":"local"`)) {
							t.Fatalf("response %s", res.Body)
						}
					})

					// Release after release: a project pinned to 0.1.0 still
					// installs 0.1.0 once 0.2.0 is published, with this base's
					// installer; unpinned it gets 0.2.0
					// (packaging/repotest.HistoryRepo).
					t.Run("pinned to 0.1.0 after 0.2.0 is published", func(t *testing.T) {
						histURL := repotest.Serve(t, repotest.HistoryRepo(t).Dir)
						dir := containers.ScaffoldProject(t, cli, "--base", b.scaffold, "--arch", arch, "--mode", "exec", "--lang", "prebuilt")
						containers.GoHandler(t, []byte(uidHandler), arch, filepath.Join(dir, "function", "handler"))
						for _, c := range []struct{ pin, want string }{{"0.1.0", "faas-runtime 0.1.0"}, {"", "faas-runtime 0.2.0"}} {
							image := builder.Build(t, dir, arch, "FAAS_REPO_URL="+histURL, "FAAS_RUNTIME_VERSION="+c.pin)
							out := containers.Podman(t, "run", "--rm", "--pull=never", "--entrypoint", "/usr/bin/faas-runtime", image, "--version")
							if strings.TrimSpace(out) != c.want {
								t.Fatalf("FAAS_RUNTIME_VERSION=%q: the image's faas-runtime --version = %q, want %q", c.pin, out, c.want)
							}
							res := containers.Invoke(t, image, []byte(`{"name":"pinned"}`), invokeWithin)
							if !bytes.Contains(res.Body, []byte(`"name":"pinned"`)) {
								t.Fatalf("FAAS_RUNTIME_VERSION=%q: response %s", c.pin, res.Body)
							}
						}
					})

				})
			}

			if arch == "amd64" {
				t.Run("the cache check finds a cache the Dockerfile did not clean", func(t *testing.T) {
					// The same project with `microdnf clean all` taken out: what
					// checkInstalled asserts must be able to fail.
					b := base{scaffold: "ubi-minimal", standIns: map[string]string{"BASE_IMAGE": "ubi-minimal"}}
					r := refs
					if b.scaffold == "ubi-micro" {
						r = maps.Clone(refs)
						r["ubi"] = hostUBI
					}
					useStandIns(t, b, arch, r)
					dir := containers.ScaffoldProject(t, cli, "--base", "ubi-minimal", "--arch", arch, "--mode", "exec", "--lang", "prebuilt")
					containers.GoHandler(t, []byte(uidHandler), arch, filepath.Join(dir, "function", "handler"))
					df := filepath.Join(dir, "Dockerfile")
					uncleaned := strings.Replace(string(containers.ReadFile(t, df)), "microdnf clean all", "true", 1)
					if uncleaned == string(containers.ReadFile(t, df)) {
						t.Fatal("the ubi-minimal Dockerfile has no `microdnf clean all`")
					}
					os.WriteFile(df, []byte(uncleaned), 0o644)
					image := builder.Build(t, dir, arch, "FAAS_REPO_URL="+repoURL)
					if files := cacheFiles(t, image, refs["ubi-minimal"]); len(files) == 0 {
						t.Fatal("no package cache found in an image built without `microdnf clean all`")
					} else {
						t.Logf("left without clean: %s ... (%d files)", files[0], len(files))
					}
				})

				t.Run("sharedlib (C) on the ubi-minimal stand-in", func(t *testing.T) {
					b := base{scaffold: "ubi-minimal", standIns: map[string]string{"BASE_IMAGE": "ubi-minimal", "UBI_IMAGE": "ubi"}}
					r := refs
					if b.scaffold == "ubi-micro" {
						r = maps.Clone(refs)
						r["ubi"] = hostUBI
					}
					useStandIns(t, b, arch, r)
					dir := containers.ScaffoldProject(t, cli, "--base", "ubi-minimal", "--arch", arch, "--mode", "sharedlib", "--lang", "c")
					image := builder.Build(t, dir, arch, "FAAS_REPO_URL="+repoURL)
					checkConfig(t, image, arch, "/usr/bin/faas-runtime-sharedlib")
					res := containers.Invoke(t, image, []byte(`{"name":"sharedlib on ubi-minimal"}`), invokeWithin)
					if string(res.Body) != `{"name":"sharedlib on ubi-minimal"}` {
						t.Fatalf("response %s", res.Body)
					}
				})
			}
		})
	}
}

// useStandIns tags each stand-in b needs with the reference its
// Dockerfile names. The tags are global to podman's store, so every build
// sets them again just before it runs.
func useStandIns(t *testing.T, b base, arch string, refs map[string]string) {
	t.Helper()
	names := scaffold.ImagesFor(scaffold.Options{Base: b.scaffold, Lang: "prebuilt", Mode: "exec"})
	if b.standIns["UBI_IMAGE"] != "" {
		names["UBI_IMAGE"] = scaffold.UBIImage
	}
	for arg, standIn := range b.standIns {
		ref := names[arg]
		if ref == "" {
			t.Fatalf("the %s Dockerfile names no %s", b.scaffold, arg)
		}
		containers.Podman(t, "tag", refs[standIn], ref)
	}
}

// checkInstalled asserts what the installer left in image: the packaged
// faas-runtime, no package cache in any layer the build added, non-root.
func checkInstalled(t *testing.T, image, base, arch string, packaged []byte) {
	t.Helper()
	checkConfig(t, image, arch, "/usr/bin/faas-runtime")
	if got := containers.FileFromImage(t, image, "/usr/bin/faas-runtime"); sum(got) != sum(packaged) {
		t.Errorf("/usr/bin/faas-runtime in the image (sha256 %s) is not the packaged binary (sha256 %s)", sum(got)[:16], sum(packaged)[:16])
	}
	if files := cacheFiles(t, image, base); len(files) > 0 {
		t.Errorf("package cache left in the image's layers: %v", files)
	}
}

// wrongKeyRepo serves our repository as it is, except that every public
// key it offers is another real key; the project's own keys/ (pinned
// keys, when the scaffold writes them) get the same treatment.
func wrongKeyRepo(t *testing.T, dir string) string {
	t.Helper()
	pgp, apk := otherKeys(t)
	keyFor := func(name string) []byte {
		if strings.HasSuffix(name, ".rsa.pub") || strings.HasSuffix(name, ".pem") {
			return apk
		}
		return pgp
	}
	if entries, err := os.ReadDir(filepath.Join(dir, "keys")); err == nil {
		for _, e := range entries {
			if !e.IsDir() && e.Name() != "README.md" {
				os.WriteFile(filepath.Join(dir, "keys", e.Name()), keyFor(e.Name()), 0o644)
			}
		}
	}
	files := http.FileServer(http.Dir(repotest.Dir(t)))
	return containers.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := filepath.Base(r.URL.Path)
		if strings.HasPrefix(base, "RPM-GPG-KEY") || strings.HasSuffix(base, ".rsa.pub") {
			w.Write(keyFor(base))
			return
		}
		files.ServeHTTP(w, r)
	}))
}

// line is the line of out that contains w.
func line(out, w string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, w) {
			return strings.TrimSpace(l)
		}
	}
	return fmt.Sprintf("%q", w)
}

// installerArches are the architectures built here: arm64 runs under
// qemu-user-static, its installers cross-compiled for the stand-ins
// (scripts/standin/compile.sh; about 5 minutes cold, seconds warm).
var installerArches = []string{"amd64", "arm64"}
