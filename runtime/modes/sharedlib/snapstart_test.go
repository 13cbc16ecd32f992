//go:build linux

package sharedlib_test

import (
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/testutil/sharedlibtest"
)

const snapStartEnv = "AWS_LAMBDA_INITIALIZATION_TYPE=snap-start"

// The optional C-ABI SnapStart hooks: under SnapStart faas_before_checkpoint
// runs after faas_init and faas_after_restore after the restore, each once,
// before the first invocation; without SnapStart neither runs. A hook's
// error fails the restore with the type and message it wrote.
func TestSnapStartHooks(t *testing.T) {
	rt, _ := sharedlibtest.Runtimes(t)
	lib := sharedlibtest.TestLib(t, "testfn.so")
	for env, want := range map[string]string{snapStartEnv: "init,before,after", "AWS_LAMBDA_INITIALIZATION_TYPE=on-demand": "init"} {
		sb, log, _ := sharedlibtest.Start(t, []string{rt, lib}, env)
		for range 2 {
			if res := sharedlibtest.Invoke(t, sb, "lifecycle"); string(res.Body) != want {
				t.Fatalf("%s: lifecycle %q, want %q\n%s", env, res.Body, want, log)
			}
		}
	}

	sb, log, _ := sharedlibtest.Start(t, []string{rt, sharedlibtest.TestLib(t, "testfn-hookfail.so", "-DHOOK_FAIL")}, snapStartEnv)
	res := sharedlibtest.Invoke(t, sb, "lifecycle")
	if !res.Failed() || res.ErrorType != "ReconnectError" || !strings.Contains(string(res.Body), "faas_after_restore: after restore: the database is unreachable") {
		t.Fatalf("failing hook: %s %s %s\n%s", res.Outcome, res.ErrorType, res.Body, log)
	}
	if !strings.Contains(log.String(), "after-restore hook failed") {
		t.Errorf("no restore failure in the log:\n%s", log)
	}
}

// The examples' hooks, C and Rust, run under SnapStart.
func TestExampleSnapStartHooks(t *testing.T) {
	rt, _ := sharedlibtest.Runtimes(t)
	for name, lib := range map[string]func() string{
		"c":    func() string { return sharedlibtest.CLib(t, "examples/sharedlib-c/echo.c", "echo.so") },
		"rust": func() string { return sharedlibtest.RustLib(t) },
	} {
		t.Run(name, func(t *testing.T) {
			sb, log, _ := sharedlibtest.Start(t, []string{rt, lib()}, snapStartEnv)
			if res := sharedlibtest.Invoke(t, sb, `{"x":1}`); res.Outcome != emulator.OutcomeResponse || string(res.Body) != `{"x":1}` {
				t.Fatalf("%s %s", res.Outcome, res.Body)
			}
			if !log.WaitFor("echo: before checkpoint") || !log.WaitFor("echo: after restore") {
				t.Errorf("hooks did not run:\n%s", log)
			}
		})
	}
}
