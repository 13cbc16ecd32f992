//go:build linux

package sharedlib

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/internal/testutil/sharedlibtest"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
)

// The faas-runtime-sharedlib packages (rpm, deb, archlinux; amd64 here)
// carry the glibc build and the ABI header, depend on glibc, and the
// packaged binary runs a library compiled against the packaged header.
// They are the release's packages: dist/packages as make repo built them
// from this tree (packaging/repotest builds them if it did not).
func TestPackages(t *testing.T) {
	tools := testutil.Need(t, "dpkg-deb", "rpm", "bsdtar", "gcc")
	dpkgDeb, rpmBin, bsdtar := tools[0], tools[1], tools[2]
	root := testutil.RepoRoot(t)
	pkgs, _ := repotest.Packages(t)
	one := func(pattern string) string {
		m, _ := filepath.Glob(filepath.Join(pkgs, pattern))
		if len(m) != 1 {
			t.Fatalf("%s: found %v, want one package", pattern, m)
		}
		return m[0]
	}
	run := func(name string, args ...string) string {
		out, err := exec.Command(name, args...).Output()
		if err != nil {
			t.Fatalf("%s %v: %v", name, args, err)
		}
		return string(out)
	}
	wantFiles := []string{"usr/bin/faas-runtime-sharedlib", "usr/include/faas/function.h"}

	deb := one("deb/faas-runtime-sharedlib_*_amd64.deb")
	if dep := strings.TrimSpace(run(dpkgDeb, "-f", deb, "Depends")); dep != "libc6" {
		t.Errorf("deb Depends %q, want libc6", dep)
	}
	rpmFile := one("rpm/faas-runtime-sharedlib-*.x86_64.rpm")
	if req := run(rpmBin, "-qpR", rpmFile); !strings.Contains(req, "glibc") {
		t.Errorf("rpm requires %q, want glibc", req)
	}
	list := run(rpmBin, "-qpl", rpmFile)
	arch := one("archlinux/faas-runtime-sharedlib-*-x86_64.pkg.tar.zst")
	if info := run(bsdtar, "-xOf", arch, ".PKGINFO"); !strings.Contains(info, "depend = glibc") {
		t.Errorf("archlinux .PKGINFO lacks depend = glibc:\n%s", info)
	}
	archList := run(bsdtar, "-tf", arch)
	for _, f := range wantFiles {
		if !strings.Contains(list, "/"+f+"\n") {
			t.Errorf("rpm lacks /%s:\n%s", f, list)
		}
		if !strings.Contains(archList, f+"\n") {
			t.Errorf("archlinux package lacks %s", f)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(pkgs, "apk", "faas-runtime-sharedlib*")); len(m) > 0 {
		t.Errorf("an apk of the glibc build was made: %v", m)
	}

	// The deb's content, used as installed: compile against its header, run its binary.
	x := t.TempDir()
	run(dpkgDeb, "-x", deb, x)
	rt := filepath.Join(x, "usr/bin/faas-runtime-sharedlib")
	lib := filepath.Join(x, "echo.so")
	if out, err := exec.Command("gcc", "-shared", "-fPIC", "-O2", "-I", filepath.Join(x, "usr/include"), "-o", lib, filepath.Join(root, "examples/sharedlib-c/echo.c")).CombinedOutput(); err != nil {
		t.Fatalf("gcc against the packaged header: %v\n%s", err, out)
	}
	if _, err := os.Stat(rt); err != nil {
		t.Fatal(err)
	}
	sb, _, _ := sharedlibtest.Start(t, []string{rt, lib})
	if res := sharedlibtest.Invoke(t, sb, `{"from":"package"}`); res.Outcome != emulator.OutcomeResponse || string(res.Body) != `{"from":"package"}` {
		t.Fatalf("packaged runtime: %s %s", res.Outcome, res.Body)
	}
}
