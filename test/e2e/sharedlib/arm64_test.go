//go:build linux

package sharedlib

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/internal/testutil/sharedlibtest"
)

// The arm64 build (purego's other Tier 1 Linux architecture) under
// qemu-user with Debian's arm64 cross glibc: the call, the context struct,
// the grow callback (a C-to-Go transition) and an error return.
func TestArm64UnderQemu(t *testing.T) {
	tools := testutil.Need(t, "qemu-aarch64-static", "aarch64-linux-gnu-gcc")
	qemu, gcc := tools[0], tools[1]
	const sysroot = "/usr/aarch64-linux-gnu" // libc6-arm64-cross
	root := testutil.RepoRoot(t)
	dir := t.TempDir()
	rt := testutil.GoBuild(t, dir, "./cmd/faas-runtime", "faas-runtime-sharedlib-arm64", "GOARCH=arm64", "GOFLAGS=-buildvcs=false -tags=sharedlib")
	lib := filepath.Join(dir, "testfn-arm64.so")
	if out, err := exec.Command(gcc, "-shared", "-fPIC", "-O2", "-I", filepath.Join(root, "include"), "-o", lib, filepath.Join(root, "runtime/modes/sharedlib/testdata/testfn.c")).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", gcc, err, out)
	}
	sb, _, _ := sharedlibtest.Start(t, []string{qemu, "-L", sysroot, rt, lib})
	if res := sharedlibtest.Invoke(t, sb, `{"arch":"arm64"}`); res.Outcome != emulator.OutcomeResponse || string(res.Body) != `{"arch":"arm64"}` {
		t.Fatalf("echo: %s %s", res.Outcome, res.Body)
	}
	res := sharedlibtest.Invoke(t, sb, "context", emulator.InvokeOptions{TenantID: "t-arm"})
	if !strings.Contains(string(res.Body), "size=112 abi=1") || !strings.Contains(string(res.Body), "request_id="+res.RequestID+"\n") || !strings.Contains(string(res.Body), "tenant_id=t-arm\n") {
		t.Fatalf("context on arm64:\n%s", res.Body)
	}
	if res := sharedlibtest.Invoke(t, sb, "big 300000"); len(res.Body) != 300000 {
		t.Fatalf("grown response on arm64: %s, %d bytes", res.Outcome, len(res.Body))
	}
	if res := sharedlibtest.Invoke(t, sb, "error-no-message"); res.ErrorType != "HandlerError" {
		t.Fatalf("error on arm64: %s %s", res.ErrorType, res.Body)
	}
}
