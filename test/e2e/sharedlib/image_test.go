//go:build linux

package sharedlib

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/internal/testutil/sharedlibtest"
	"github.com/faas-runtime/faas-runtime/test/e2e/containers"
)

// Both examples in a glibc-based image built with buildah and run by podman
// on the host network against the emulator. No base image can be pulled
// here, so the base is a STAND-IN for distroless cc: scratch plus the host's
// glibc (the loader, libc, libdl, libpthread, libgcc_s), which is what
// gcr.io/distroless/cc holds.
func TestExamplesInGlibcImage(t *testing.T) {
	testutil.NeedRoot(t)
	tools := testutil.Need(t, "buildah", "podman", "ldd")
	testutil.LockPodman(t)
	buildah, podman := tools[0], tools[1]
	rt, _ := sharedlibtest.Runtimes(t)
	cl := sharedlibtest.CLib(t, "examples/sharedlib-c/echo.c", "echo.so")
	rl := sharedlibtest.RustLib(t)
	root := testutil.RepoRoot(t)
	os.Setenv("CONTAINERS_CONF", filepath.Join(root, "scripts", "containers.conf"))

	tag := fmt.Sprintf("%d", time.Now().UnixNano())
	base := "localhost/faas-sharedlib-test/glibc-standin:" + tag
	image := "localhost/faas-sharedlib-test/echo:" + tag
	t.Cleanup(func() { exec.Command(podman, "rmi", "-f", image, base).Run() })

	// The stand-in base: every shared object the three binaries need.
	baseCtx := t.TempDir()
	for _, bin := range []string{rt, cl, rl} {
		out, err := exec.Command("ldd", bin).Output()
		if err != nil {
			t.Fatalf("ldd %s: %v", bin, err)
		}
		for _, line := range strings.Split(string(out), "\n") {
			for _, f := range strings.Fields(line) {
				if strings.HasPrefix(f, "/") {
					containers.CopyFile(t, f, filepath.Join(baseCtx, "rootfs", f), 0o755)
				}
			}
		}
	}
	os.WriteFile(filepath.Join(baseCtx, "Containerfile"), []byte(
		"FROM scratch\nCOPY rootfs/ /\nLABEL org.opencontainers.image.description=\"STAND-IN for gcr.io/distroless/cc: the test host's glibc\"\n"), 0o644)
	bud(t, buildah, base, baseCtx)

	fnCtx := t.TempDir()
	containers.CopyFile(t, rt, filepath.Join(fnCtx, "faas-runtime-sharedlib"), 0o755)
	containers.CopyFile(t, cl, filepath.Join(fnCtx, "echo.so"), 0o755)
	containers.CopyFile(t, rl, filepath.Join(fnCtx, "libfaas_echo.so"), 0o755)
	os.WriteFile(filepath.Join(fnCtx, "Containerfile"), []byte(fmt.Sprintf(`FROM %s
COPY faas-runtime-sharedlib /usr/bin/faas-runtime-sharedlib
COPY echo.so libfaas_echo.so /var/task/
ENV LAMBDA_TASK_ROOT=/var/task
USER 65532:65532
ENTRYPOINT ["/usr/bin/faas-runtime-sharedlib"]
CMD ["echo.so"]
`, base)), 0o644)
	bud(t, buildah, image, fnCtx)

	for _, c := range []struct{ name, handler string }{{"c", ""}, {"rust", "libfaas_echo.so"}} {
		t.Run(c.name, func(t *testing.T) {
			name := "faas-sharedlib-" + c.name + "-" + tag
			cmd := []string{podman, "run", "--rm", "--name", name, "--network", "host", "-e", "AWS_LAMBDA_RUNTIME_API", image}
			if c.handler != "" {
				cmd = append(cmd, c.handler)
			}
			sb, log, _ := sharedlibtest.Start(t, cmd)
			t.Cleanup(func() { exec.Command(podman, "rm", "-f", "-t", "0", name).Run() })
			if res := sharedlibtest.Invoke(t, sb, `{"in":"image"}`); res.Outcome != emulator.OutcomeResponse || string(res.Body) != `{"in":"image"}` {
				t.Fatalf("%s in the image: %s %s\n%s", c.name, res.Outcome, res.Body, log)
			}
			res := sharedlibtest.Invoke(t, sb, `{"error":1}`)
			if res.ErrorType != "EchoError" {
				t.Fatalf("%s error return in the image: %s %s", c.name, res.Outcome, res.Body)
			}
		})
	}
}

func bud(t *testing.T, buildah, tag, dir string) {
	t.Helper()
	cmd := exec.Command(buildah, "build", "--format", "oci", "--pull=never", "-t", tag, dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("buildah build %s: %v\n%s", tag, err, out)
	}
}
