//go:build linux

package sharedlib

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// TestLayoutMatchesHeader compiles a program against include/faas/function.h
// and compares the C sizes and offsets with the Go mirrors.
func TestLayoutMatchesHeader(t *testing.T) {
	testutil.Need(t, "gcc")
	dir := t.TempDir()
	src := filepath.Join(dir, "layout.c")
	os.WriteFile(src, []byte(`#include <stdio.h>
#include <faas/function.h>
#define P(e) printf("%s=%zu\n", #e, (size_t)(e))
int main(void) {
	P(sizeof(faas_str));
	P(sizeof(faas_context)); P(offsetof(faas_context, deadline_ms)); P(offsetof(faas_context, request_id));
	P(offsetof(faas_context, tenant_id));
	P(sizeof(faas_init_info)); P(offsetof(faas_init_info, task_root)); P(offsetof(faas_init_info, args)); P(offsetof(faas_init_info, nargs));
	P(sizeof(faas_output)); P(offsetof(faas_output, len)); P(offsetof(faas_output, cap)); P(offsetof(faas_output, grow)); P(offsetof(faas_output, error_type));
	P(FAAS_ABI_VERSION); P(FAAS_THREAD_SAFE); P(FAAS_ERROR_TYPE_MAX); P(FAAS_E_TOO_LARGE + 2);
	return 0;
}
`), 0o644)
	bin := filepath.Join(dir, "layout")
	if b, err := exec.Command("gcc", "-I", filepath.Join(testutil.RepoRoot(t), "include"), "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, b)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	var ctx cContext
	var info cInitInfo
	var o cOutput
	want := map[string]uintptr{
		"sizeof(faas_str)":                    unsafe.Sizeof(cStr{}),
		"sizeof(faas_context)":                unsafe.Sizeof(ctx),
		"offsetof(faas_context, deadline_ms)": unsafe.Offsetof(ctx.deadlineMs),
		"offsetof(faas_context, request_id)":  unsafe.Offsetof(ctx.requestID),
		"offsetof(faas_context, tenant_id)":   unsafe.Offsetof(ctx.tenantID),
		"sizeof(faas_init_info)":              unsafe.Sizeof(info),
		"offsetof(faas_init_info, task_root)": unsafe.Offsetof(info.taskRoot),
		"offsetof(faas_init_info, args)":      unsafe.Offsetof(info.args),
		"offsetof(faas_init_info, nargs)":     unsafe.Offsetof(info.nargs),
		"sizeof(faas_output)":                 unsafe.Sizeof(o),
		"offsetof(faas_output, len)":          unsafe.Offsetof(o.len),
		"offsetof(faas_output, cap)":          unsafe.Offsetof(o.cap),
		"offsetof(faas_output, grow)":         unsafe.Offsetof(o.grow),
		"offsetof(faas_output, error_type)":   unsafe.Offsetof(o.errorType),
		"FAAS_ABI_VERSION":                    ABIVersion,
		"FAAS_THREAD_SAFE":                    FlagThreadSafe,
		"FAAS_ERROR_TYPE_MAX":                 errorTypeMax,
		"FAAS_E_TOO_LARGE + 2":                rcTooLarge + 2,
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		k, v, _ := strings.Cut(line, "=")
		w, ok := want[k]
		if !ok {
			t.Errorf("unexpected line %q", line)
			continue
		}
		seen++
		if v != strconv.FormatUint(uint64(w), 10) {
			t.Errorf("%s: C says %s, Go mirror says %d", k, v, w)
		}
	}
	if seen != len(want) {
		t.Errorf("checked %d of %d values:\n%s", seen, len(want), out)
	}
}
