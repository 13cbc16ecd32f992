// Package testutil has the helpers every integration test shares: finding
// real tools (a missing one fails under CI=true instead of skipping), the
// repository root, and built binaries.
package testutil

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// InCI reports whether the tests run in CI, where nothing may be skipped.
func InCI() bool { return os.Getenv("CI") == "true" }

// heavyTools are the tools whose tests take minutes (containers, root file
// systems, emulated arm64, package managers): `go test -short` skips them.
var heavyTools = map[string]bool{
	"podman": true, "buildah": true, "skopeo": true, "umoci": true, "docker-registry": true,
	"debootstrap": true, "qemu-aarch64-static": true,
	"rpm": true, "dnf": true, "microdnf": true, "apk2": true, "apk3": true, "createrepo_c": true, "rpmlint": true,
	"pacman": true, "makepkg": true, "apt-get": true, "dpkg": true, "dpkg-deb": true, "lintian": true,
	"goreleaser": true, "weed": true,
}

// Slow skips the test under `go test -short` (the inner loop); `make test`
// runs it. why says what makes it slow.
func Slow(t testing.TB, why string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: " + why)
	}
}

// Need returns the path of each tool; a missing tool skips the test on a
// developer's machine and fails it in CI. Under -short, a test that needs
// a container, root-file-system, qemu or package-manager tool is skipped.
func Need(t testing.TB, tools ...string) []string {
	t.Helper()
	for _, tool := range tools {
		if heavyTools[filepath.Base(tool)] {
			Slow(t, "needs "+tool)
		}
	}
	paths := make([]string, len(tools))
	for i, tool := range tools {
		p, err := exec.LookPath(tool)
		if err != nil {
			Unavailable(t, "%s is not installed (scripts/install-deps.sh installs it)", tool)
		}
		paths[i] = p
	}
	return paths
}

// NeedRoot requires root (podman, dnf --installroot, dpkg --root).
func NeedRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Unavailable(t, "needs root")
	}
}

// Unavailable skips, or fails under CI=true.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf("CI=true: "+format, args...)
	}
	t.Skipf(format, args...)
}

// RepoRoot is the module's root directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// GoBuild builds a main package of this module (or any path go build
// accepts) into dir as a static binary and returns its path.
func GoBuild(t testing.TB, dir, pkg, name string, env ...string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, pkg)
	cmd.Dir = RepoRoot(t)
	cmd.Env = append(append(os.Environ(), "CGO_ENABLED=0"), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

var (
	builtMu sync.Mutex
	built   = map[string]string{}
	binDir  string
)

// Binary builds a main package of this module once per test process and
// returns the path of the static binary (kept until the process exits;
// call CleanupBinaries from TestMain to remove them).
func Binary(t testing.TB, pkg string) string {
	t.Helper()
	return BinaryWithTags(t, pkg, "")
}

// BinaryWithTags is Binary with build tags (e.g. "sharedlib").
func BinaryWithTags(t testing.TB, pkg, tags string) string {
	t.Helper()
	builtMu.Lock()
	defer builtMu.Unlock()
	key := pkg + " " + tags
	if p, ok := built[key]; ok {
		return p
	}
	if binDir == "" {
		d, err := os.MkdirTemp("", "faas-test-bin-")
		if err != nil {
			t.Fatal(err)
		}
		binDir = d
	}
	name := filepath.Base(pkg)
	var env []string
	if tags != "" {
		name += "-" + strings.ReplaceAll(tags, ",", "-")
		env = append(env, "GOFLAGS=-tags="+tags)
	}
	p := GoBuild(t, binDir, pkg, name, env...)
	built[key] = p
	return p
}

// CleanupBinaries removes what Binary built; call it from TestMain.
func CleanupBinaries() {
	builtMu.Lock()
	defer builtMu.Unlock()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// SyncBuffer is a bytes.Buffer that a runtime's output pipes and the test
// can use at once: logs to assert on.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// WaitFor reports whether the output contains want within 5 seconds: a
// runtime's stderr is copied from a pipe, and may trail its response.
func (s *SyncBuffer) WaitFor(want string) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if strings.Contains(s.String(), want) {
			return true
		}
	}
	return false
}

// GoBuildTags is GoBuild with build tags.
func GoBuildTags(t testing.TB, dir, pkg, name, tags string) string {
	t.Helper()
	return GoBuild(t, dir, pkg, name, "GOFLAGS=-buildvcs=false -tags="+tags)
}

// Percentile is the p-th percentile (0-100) of d, for benchmark tables.
func Percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

// RSSKiB is a process's resident set size (VmRSS), Linux only.
func RSSKiB(pid int) (float64, error) { return statusKiB(pid, "VmRSS:") }

// PeakRSSKiB is the most resident memory the process has had (VmHWM), in KiB.
func PeakRSSKiB(pid int) (float64, error) { return statusKiB(pid, "VmHWM:") }

func statusKiB(pid int, field string) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field {
			return strconv.ParseFloat(f[1], 64)
		}
	}
	return 0, fmt.Errorf("no %s for process %d", strings.TrimSuffix(field, ":"), pid)
}

// Run runs cmd to its end and returns its stdout, stderr and exit code; a
// failure to start it at all fails the test.
func Run(t testing.TB, cmd *exec.Cmd) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", cmd.Path, err)
	}
	return o.String(), e.String(), code
}

// podman and buildah need the project's containers.conf (runc, cgroupfs,
// ulimits a root without systemd can set). The Makefile exports it; a plain
// `go test` gets it here.
func init() {
	if os.Getenv("CONTAINERS_CONF") == "" {
		_, file, _, _ := runtime.Caller(0)
		os.Setenv("CONTAINERS_CONF", filepath.Join(filepath.Dir(file), "..", "..", "scripts", "containers.conf"))
	}
}

// Lock holds FileLock(path) until the test ends.
func Lock(t testing.TB, path string) {
	t.Helper()
	unlock, err := FileLock(path)
	if err != nil {
		t.Fatalf("lock %s: %v", path, err)
	}
	t.Cleanup(unlock)
}

// LockPodman serialises the tests that build and remove images in podman's
// one shared store: two such tests at once (go test -p 2) could remove a
// layer the other's build was checking ("layer not known"). Call it after
// Need and NeedRoot: a test they skip (under -short, say) does not wait
// for the lock.
func LockPodman(t testing.TB) {
	t.Helper()
	Lock(t, filepath.Join(os.TempDir(), "faas-runtime-podman.lock"))
}

// NeedArm64 makes sure arm64 binaries run through qemu-user-static's
// binfmt handler (mounting binfmt_misc and enabling it as
// scripts/install-deps.sh does, if needed).
func NeedArm64(t testing.TB) {
	t.Helper()
	const handler = "/proc/sys/fs/binfmt_misc/qemu-aarch64"
	if _, err := os.Stat(handler); err != nil {
		exec.Command("mount", "-t", "binfmt_misc", "binfmt_misc", "/proc/sys/fs/binfmt_misc").Run()
		exec.Command("update-binfmts", "--enable", "qemu-aarch64").Run()
	}
	if _, err := os.Stat(handler); err != nil {
		Unavailable(t, "no qemu-aarch64 binfmt handler (qemu-user-static, binfmt-support): %v", err)
	}
}

// Script writes an executable shell script (a #!/bin/sh line, then body)
// into dir and returns its path.
func Script(t testing.TB, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// Tail keeps the end of long tool output for a failure message.
func Tail(b []byte) string {
	const max = 6000
	if len(b) > max {
		return "..." + string(b[len(b)-max:])
	}
	return string(b)
}
