//go:build linux

package sharedlib

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
)

// BenchmarkInvokeInProcess is the mode's own cost per invocation: context
// setup, the purego call into the C echo library and the response copy,
// without the Runtime API round trip.
func BenchmarkInvokeInProcess(b *testing.B) {
	testutil.Need(b, "gcc")
	root := testutil.RepoRoot(b)
	// testfn.c echoes without logging: echo.c's fprintf per call would be
	// most of what this measures.
	lib := filepath.Join(b.TempDir(), "testfn.so")
	if out, err := exec.Command("gcc", "-shared", "-fPIC", "-O2", "-I", filepath.Join(root, "include"), "-o", lib, filepath.Join(root, "runtime/modes/sharedlib/testdata/testfn.c")).CombinedOutput(); err != nil {
		b.Fatalf("gcc: %v\n%s", err, out)
	}
	h, err := New(modes.Config{Command: []string{lib}, Concurrency: 1})
	if err != nil {
		b.Fatal(err)
	}
	if err := h.Init(context.Background()); err != nil {
		b.Fatal(err)
	}
	inv := &api.Invocation{RequestID: "8476a536-e9f4-11e8-9739-2dfe598c3fcd", DeadlineMs: 1542409706888,
		FunctionARN: "arn:aws:lambda:us-east-1:000000000000:function:function", TraceID: "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
		Payload: []byte(`{"hello":"world","n":12345}`)}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r := h.Invoke(ctx, inv); r.Err != nil || len(r.Body) != len(inv.Payload) {
			b.Fatalf("%+v", r)
		}
	}
}
