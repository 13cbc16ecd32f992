package containers

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// A Builder runs podman build on scaffolded projects. Each image is tagged
// Repo:ARCH-PID-N and removed when its test ends.
type Builder struct {
	Repo string // e.g. localhost/faas-scaffold-e2e
	// NoCache runs every step again (podman build --no-cache): buildah's
	// layer cache does not see a bind-mounted package change, so a suite
	// that tests the installers sets it. Not --layers=false: buildah 1.28
	// then removes intermediate stage images, and ubi-micro's empty stage
	// (FROM BASE_IMAGE AS micro-ARCH) is the base image itself, which goes
	// with it.
	NoCache bool
	seq     atomic.Int64
}

// TryBuild builds dir for arch with the build args (NAME=VALUE) and
// returns the tag and the whole build log.
func (b *Builder) TryBuild(t *testing.T, dir, arch string, buildArgs ...string) (tag, log string, err error) {
	t.Helper()
	tag = fmt.Sprintf("%s:%s-%d-%d", b.Repo, arch, os.Getpid(), b.seq.Add(1))
	args := []string{"build"}
	if b.NoCache {
		args = append(args, "--no-cache")
	}
	// buildah 1.28 (Debian 12's podman 4.3) does not set BUILDPLATFORM as
	// BuildKit and newer buildah do; the stages that run on the build
	// machine need it.
	args = append(args, "--pull=never", "--platform", "linux/"+arch, "--network", "host", "--tag", tag,
		"--build-arg", "BUILDPLATFORM=linux/"+runtime.GOARCH)
	for _, a := range buildArgs {
		args = append(args, "--build-arg", a)
	}
	out, err := exec.Command("podman", append(args, dir)...).CombinedOutput()
	t.Cleanup(func() { exec.Command("podman", "rmi", "-f", tag).Run() })
	return tag, string(out), err
}

// Build is TryBuild that fails the test when the build fails.
func (b *Builder) Build(t *testing.T, dir, arch string, buildArgs ...string) string {
	t.Helper()
	tag, out, err := b.TryBuild(t, dir, arch, buildArgs...)
	if err != nil {
		t.Fatalf("podman build: %v\n%s", err, testutil.Tail([]byte(out)))
	}
	return tag
}
