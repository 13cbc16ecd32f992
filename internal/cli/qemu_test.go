package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// An arm64 project says in README.md and build.sh which steps need QEMU on
// a builder of another architecture, and how to enable it; ubi-micro's
// dnf --installroot runs on the build machine's platform (--forcearch), so
// its exec projects need none. amd64 projects say nothing about it.
func TestScaffoldSaysWhereQEMUIsNeeded(t *testing.T) {
	for _, c := range []struct {
		base, arch, mode, lang string
		step                   string // "" when no QEMU is needed
	}{
		{"alpine", "arm64", "exec", "go", "the final stage's apk add"},
		{"ubi-minimal", "arm64", "exec", "go", "the final stage's microdnf install"},
		{"ubi-micro", "arm64", "exec", "go", ""},
		{"ubi-micro", "arm64", "sharedlib", "c", "the shared library's build stage"},
		{"distroless", "arm64", "exec", "go", ""},
		{"alpine", "amd64", "exec", "go", ""},
	} {
		dir := filepath.Join(t.TempDir(), "fn")
		if _, logs, code := scaffoldCLI(t, nil, "scaffold", "--base", c.base, "--arch", c.arch, "--mode", c.mode, "--lang", c.lang, dir); code != 0 {
			t.Fatalf("%+v: %s", c, logs)
		}
		readme, _ := os.ReadFile(filepath.Join(dir, "README.md"))
		build, _ := os.ReadFile(filepath.Join(dir, "build.sh"))
		docker, _ := os.ReadFile(filepath.Join(dir, "Dockerfile"))
		if b, err := exec.Command("bash", "-n", filepath.Join(dir, "build.sh")).CombinedOutput(); err != nil {
			t.Errorf("%+v: bash -n build.sh: %v %s", c, err, b)
		}
		says := strings.Contains(string(readme), "QEMU") && strings.Contains(string(readme), "--install arm64") && strings.Contains(string(build), "qemu-aarch64")
		switch {
		case c.step != "" && (!says || !strings.Contains(string(readme), c.step)):
			t.Errorf("%+v: README/build.sh do not say that %s needs QEMU and how to enable it", c, c.step)
		case c.step == "" && says:
			t.Errorf("%+v: QEMU named where no step needs it", c)
		case c.step == "" && c.arch == "arm64" && !strings.Contains(string(readme), "needs no emulation"):
			t.Errorf("%+v: README does not say that no emulation is needed", c)
		}
		if c.base == "ubi-micro" && (!strings.Contains(string(docker), "FROM --platform=$BUILDPLATFORM ${UBI_IMAGE} AS rootfs-") || !strings.Contains(string(docker), "--forcearch")) {
			t.Errorf("%+v: the dnf --installroot stage does not run on $BUILDPLATFORM with --forcearch", c)
		}
	}
}
