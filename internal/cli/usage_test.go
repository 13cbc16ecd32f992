package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// A runtime-init flag after HANDLER is applied when a -- ends the flags,
// refused (exit 2, the right order shown) without one, and never handed to
// the function silently; after `-- HANDLER` everything is the function's.
func TestInvokeFlagsAfterHandler(t *testing.T) {
	dir := t.TempDir()
	h := filepath.Join(dir, "args.sh")
	os.WriteFile(h, []byte("#!/bin/sh\nevent=$(cat)\nprintf '%s|%s\\n' \"$event\" \"$*\"\n"), 0o755)
	ev := filepath.Join(dir, "event.json")
	os.WriteFile(ev, []byte(`{"from":"file"}`), 0o644)

	// Refused, and the message shows both right orders.
	_, stderr, code := runCLI(t, "", "invoke", h, "--event", "/nonexistent.json")
	if code != 2 || !strings.Contains(stderr, "runtime-init invoke --event ... -- "+h) || !strings.Contains(stderr, "-- [ARGS...]") {
		t.Errorf("invoke HANDLER --event F: exit %d, %q; want 2 with the right order", code, stderr)
	}
	// Applied before --: the missing file is reported, the file read.
	if _, stderr, code := runCLI(t, "", "invoke", h, "--event", "/nonexistent.json", "--"); code != 2 || !strings.Contains(stderr, "/nonexistent.json") {
		t.Errorf("invoke HANDLER --event /nonexistent -- : exit %d, %q", code, stderr)
	}
	out, stderr, code := runCLI(t, "", "invoke", h, "--event", ev, "--timeout=2s", "--", "a", "--event")
	if code != 0 || strings.TrimSpace(out) != `{"from":"file"}|a --event` {
		t.Errorf("invoke HANDLER --event F -- a --event: exit %d, %q %s", code, out, stderr)
	}
	// After -- HANDLER, a flag-like argument is the handler's.
	out, _, code = runCLI(t, "", "invoke", "--event", ev, "--", h, "--event", "x")
	if code != 0 || strings.TrimSpace(out) != `{"from":"file"}|--event x` {
		t.Errorf("invoke -- HANDLER --event x: exit %d, %q", code, out)
	}
	// Without --, plain arguments and flags runtime-init does not have are the handler's.
	out, _, code = runCLI(t, "", "invoke", h, "one", "-v")
	if code != 0 || strings.TrimSpace(out) != `{}|one -v` {
		t.Errorf("invoke HANDLER one -v: exit %d, %q", code, out)
	}
	// Something other than a flag between HANDLER and -- is refused.
	if _, stderr, code := runCLI(t, "", "invoke", h, "one", "--"); code != 2 || !strings.Contains(stderr, `"one" between HANDLER and --`) {
		t.Errorf("invoke HANDLER one --: exit %d, %q", code, stderr)
	}
	if _, stderr, code := runCLI(t, "", "invoke", h, "--nope", "--"); code != 2 || !strings.Contains(stderr, "--nope") {
		t.Errorf("invoke HANDLER --nope --: exit %d, %q", code, stderr)
	}
}

// serve takes the same forms: --listen after HANDLER and before -- is used.
func TestServeFlagsAfterHandler(t *testing.T) {
	if _, stderr, code := runCLI(t, "", "serve", "examples/echo-sh/handler.sh", "--listen", "127.0.0.1:0"); code != 2 || !strings.Contains(stderr, "runtime-init serve --listen ... -- examples/echo-sh/handler.sh") {
		t.Errorf("serve HANDLER --listen A: exit %d, %q; want 2 with the right order", code, stderr)
	}
	url, _ := serveArgs(t, "examples/echo-sh/handler.sh", "--env", "X=1", "--")
	if code, _, body := testutil.Post(t, url, []byte(`{"n":2}`)); code != 200 || !strings.Contains(string(body), `"event":{"n":2}`) {
		t.Fatalf("serve HANDLER --listen A --: %d %s", code, body)
	}
}

// serveArgs is testutil.Serve with --listen after the handler.
func serveArgs(t *testing.T, handler string, rest ...string) (string, string) {
	t.Helper()
	addr := "127.0.0.1:" + testutil.FreePort(t)
	args := append([]string{handler, "--listen", addr}, rest...)
	url, _ := testutil.ServeRaw(t, nil, args...)
	if !strings.Contains(url, addr) {
		t.Fatalf("serve %v listens at %s, not %s", args, url, addr)
	}
	return url, addr
}

// help, an unknown command and bad values are usage errors (exit 2), as
// docs/local-emulator.md says; version and --version agree.
func TestHelpVersionAndUsageExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string // in stdout (exit 0) or stderr
	}{
		{[]string{"help"}, 0, "COMMANDS:"},
		{[]string{"help", "scaffold"}, 0, "runtime-init scaffold - "},
		{[]string{"scaffold", "--help"}, 0, "--base value"},
		{[]string{"help", "frobnicate"}, 2, `"frobnicate" is not a command`},
		{[]string{"frobnicate"}, 2, `"frobnicate" is not a command`},
		{[]string{"invoke", "--mode", "bogus", "--", "x"}, 2, `mode "bogus": want one of exec, http, sharedlib`},
		{[]string{"serve", "--mode", "bogus", "--", "x"}, 2, `mode "bogus"`},
	} {
		out, stderr, code := runCLI(t, "", tc.args...)
		if tc.code == 0 && (code != 0 || !strings.Contains(out, tc.want)) || tc.code != 0 && (code != tc.code || !strings.Contains(stderr, tc.want)) {
			t.Errorf("%v: exit %d, stdout %.200q, stderr %q; want %d and %q", tc.args, code, out, stderr, tc.code, tc.want)
		}
	}
	v1, _, c1 := runCLI(t, "", "version")
	v2, _, c2 := runCLI(t, "", "--version")
	if c1 != 0 || c2 != 0 || v1 != v2 || !strings.HasPrefix(v1, "runtime-init ") {
		t.Errorf("version %q (exit %d) vs --version %q (exit %d)", v1, c1, v2, c2)
	}
}
