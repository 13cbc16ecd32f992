package installers

import (
	"debug/elf"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/faas-runtime/faas-runtime/packaging/repotest"
	"github.com/faas-runtime/faas-runtime/test/e2e/containers"
)

// ubi-micro's install stage runs on the build machine's platform: the real
// dnf (the ubi stand-in's, of this machine's architecture) installs the
// other architecture's faas-runtime into an installroot with --forcearch,
// running none of that architecture's programs.
func TestDnfForcearchInstallroot(t *testing.T) {
	containers.NeedPodman(t, "builds a stand-in base and runs podman")

	rpmArch, machine := "aarch64", elf.EM_AARCH64
	if runtime.GOARCH == "arm64" {
		rpmArch, machine = "x86_64", elf.EM_X86_64
	}
	pkgDir, _ := repotest.Packages(t)
	rpms, _ := filepath.Glob(filepath.Join(pkgDir, "rpm", "faas-runtime-[0-9]*."+rpmArch+".rpm"))
	if len(rpms) != 1 {
		t.Fatalf("want one faas-runtime %s rpm in %s, found %v", rpmArch, pkgDir, rpms)
	}
	refs := containers.StandIns(t, runtime.GOARCH, "ubi")
	root := t.TempDir()
	out := containers.Podman(t, "run", "--rm", "--network", "none",
		"-v", filepath.Dir(rpms[0])+":/p:ro", "-v", root+":/mnt/rootfs", refs["ubi"],
		"dnf", "install", "-y", "--forcearch", rpmArch, "--installroot", "/mnt/rootfs", "--releasever", "9",
		"--nodocs", "--disablerepo=*", "--setopt=install_weak_deps=False", "/p/"+filepath.Base(rpms[0]))
	f, err := elf.Open(filepath.Join(root, "usr", "bin", "faas-runtime"))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	defer f.Close()
	if f.Machine != machine {
		t.Fatalf("installed faas-runtime is %v, want %v", f.Machine, machine)
	}
}
