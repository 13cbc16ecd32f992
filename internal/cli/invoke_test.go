package cli_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/runtime/api"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testutil.CleanupBinaries()
	os.Exit(code)
}

func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(testutil.Binary(t, "./cmd/runtime-init"), args...)
	cmd.Dir = testutil.RepoRoot(t)
	cmd.Stdin = strings.NewReader(stdin)
	return testutil.Run(t, cmd)
}

func TestInvokeShellExample(t *testing.T) {
	out, logs, code := runCLI(t, "", "invoke", "--event", "examples/echo-sh/event.json", "--", "examples/echo-sh/handler.sh")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, logs)
	}
	var got struct {
		RequestID string          `json:"requestId"`
		Event     json.RawMessage `json:"event"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || string(got.Event) != `{"hello":"world"}` || got.RequestID == "" {
		t.Fatalf("stdout %q (%v)", out, err)
	}
	if !strings.Contains(logs, "echo-sh: request "+got.RequestID) {
		t.Fatalf("function log missing from stderr: %s", logs)
	}
}

func TestInvokeGoExampleAndErrors(t *testing.T) {
	hello := testutil.Binary(t, "./examples/hello-go")
	out, _, code := runCLI(t, `{"name":"Lambda"}`, "invoke", "--event", "-", "--", hello)
	if code != 0 || !strings.Contains(out, `"message":"Hello, Lambda!"`) {
		t.Fatalf("exit %d: %s", code, out)
	}
	// A function error prints the error JSON and exits 1.
	out, _, code = runCLI(t, `{"fail":true}`, "invoke", "--event", "-", "--", hello)
	var e api.Error
	if code != 1 || json.Unmarshal([]byte(out), &e) != nil || e.Type != api.ErrTypeExit || !strings.Contains(e.Message, "exit status 3") {
		t.Fatalf("exit %d: %s", code, out)
	}
}

func TestInvokeUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"invoke"},
		{"invoke", "--timeout", "1500ms", "--", "x"},
		{"invoke", "--timeout", "901s", "--", "x"},
		{"invoke", "--env", "NOEQUALS", "--", "x"},
		{"invoke", "--event", "/no/such/event.json", "--", "x"},
		{"invoke", "--no-such-flag"},
	} {
		_, stderr, code := runCLI(t, "", args...)
		if code != 2 || !strings.Contains(stderr, "runtime-init:") {
			t.Errorf("%v: exit %d, stderr %q; want 2 with a message", args, code, stderr)
		}
	}
}

func TestInvokeEnvAndTimeout(t *testing.T) {
	dir := t.TempDir()
	h := filepath.Join(dir, "h.sh")
	os.WriteFile(h, []byte("#!/bin/sh\ncat >/dev/null\n[ -n \"$SLEEP\" ] && sleep $SLEEP\necho \"$GREETING\"\n"), 0o755)
	out, _, code := runCLI(t, "", "invoke", "--env", "GREETING=hi there", "--", h)
	if code != 0 || strings.TrimSpace(out) != "hi there" {
		t.Fatalf("exit %d: %q", code, out)
	}
	out, _, code = runCLI(t, "", "invoke", "--timeout", "1s", "--env", "SLEEP=5", "--", h)
	if code != 1 || !strings.Contains(out, api.ErrTypeTimeout) {
		t.Fatalf("exit %d: %q", code, out)
	}
	// AWS_LAMBDA_FUNCTION_TIMEOUT (whole seconds) is the default, as in RIE.
	t.Setenv("AWS_LAMBDA_FUNCTION_TIMEOUT", "1")
	out, _, code = runCLI(t, "", "invoke", "--env", "SLEEP=5", "--", h)
	if code != 1 || !strings.Contains(out, api.ErrTypeTimeout) {
		t.Fatalf("AWS_LAMBDA_FUNCTION_TIMEOUT=1: exit %d: %q", code, out)
	}
	t.Setenv("AWS_LAMBDA_FUNCTION_TIMEOUT", "soon")
	if _, stderr, code := runCLI(t, "", "invoke", "--", h); code != 2 || !strings.Contains(stderr, "AWS_LAMBDA_FUNCTION_TIMEOUT") {
		t.Fatalf("bad AWS_LAMBDA_FUNCTION_TIMEOUT: exit %d: %q", code, stderr)
	}
}

// serve keeps the function behind RIE's invoke endpoint; curl-style
// requests work, and SIGINT (sent by PID) stops it cleanly.
func TestServe(t *testing.T) {
	addr := "127.0.0.1:" + testutil.FreePort(t)
	cmd := exec.Command(testutil.Binary(t, "./cmd/runtime-init"), "serve", "--listen", addr, "--", "examples/echo-sh/handler.sh")
	cmd.Dir = testutil.RepoRoot(t)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	for sc.Scan() && !strings.Contains(sc.Text(), "serving") {
	}
	go io.Copy(io.Discard, stderr)
	for i := 0; i < 3; i++ {
		resp, err := http.Post("http://"+addr+api.PathRIEInvoke, "application/json", strings.NewReader(`{"n":1}`))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), `"event":{"n":1}`) {
			t.Fatalf("invoke %d: %d %s", i, resp.StatusCode, b)
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v after SIGINT", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop on SIGINT")
	}
}
