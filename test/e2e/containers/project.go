package containers

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/faas-runtime/faas-runtime/packaging/repo"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// ScaffoldProject runs the real CLI (runtime-init at cli) into a new
// directory, pinning the keys of the repository the tests serve (dist/repo,
// as make repo signs it: rpm/apt and apk).
func ScaffoldProject(t *testing.T, cli string, args ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "fn")
	keys := []string{"--repo-key", filepath.Join(repotest.Dir(t), repo.RPMKey),
		"--repo-key", filepath.Join(repotest.Dir(t), repo.AlpineDir, signing.DefaultAPKKeyName)}
	cmd := exec.Command(cli, append(append(append([]string{"scaffold", "--name", "e2e-fn"}, keys...), args...), dir)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scaffold %v: %v\n%s", args, err, out)
	}
	return dir
}

// GeneratedGoHandler scaffolds the Go function for mode and builds it for
// arch into dst: a prebuilt handler that is the scaffold's own Go function
// (http mode's is a web app).
func GeneratedGoHandler(t *testing.T, cli, mode, arch, dst string) {
	t.Helper()
	src := ScaffoldProject(t, cli, "--base", "distroless", "--arch", arch, "--mode", mode, "--lang", "go")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", dst, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GOPROXY=off", "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
}

// GoHandler builds the Go program src (one main.go) for arch into dst.
func GoHandler(t *testing.T, src []byte, arch, dst string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module handler\n\ngo 1.22\n"), 0o644)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", dst, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GOPROXY=off", "GOWORK=off", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build handler: %v\n%s", err, out)
	}
}
