//go:build linux

package sharedlib_test

import (
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/testutil/sharedlibtest"
)

func TestRustExample(t *testing.T) {
	rt, _ := sharedlibtest.Runtimes(t)
	lib := sharedlibtest.RustLib(t)
	sb, log, _ := sharedlibtest.Start(t, []string{rt, lib})

	res := sharedlibtest.Invoke(t, sb, `{"hello":"rust"}`)
	if res.Outcome != emulator.OutcomeResponse || string(res.Body) != `{"hello":"rust"}` {
		t.Fatalf("echo: %s %q", res.Outcome, res.Body)
	}
	if !log.WaitFor("rust echo: request " + res.RequestID) {
		t.Errorf("the function's log does not name request %s", res.RequestID)
	}
	// Larger than the 64 KiB initial buffer: the Rust side calls grow.
	big := `{"pad":"` + strings.Repeat("r", 200000) + `"}`
	if res := sharedlibtest.Invoke(t, sb, big); string(res.Body) != big {
		t.Fatalf("200 kB echo: %s, %d bytes", res.Outcome, len(res.Body))
	}
	res = sharedlibtest.Invoke(t, sb, `{"error":1}`)
	if res.Outcome != emulator.OutcomeError || res.ErrorType != "EchoError" || !strings.Contains(string(res.Body), "the event asked for an error") {
		t.Fatalf("error return: %s %s %s", res.Outcome, res.ErrorType, res.Body)
	}
}
