// Package reliability holds the cross-cutting hardening checks: graceful
// shutdown within Lambda's budget, no secrets or event bodies in the
// runtime's logs, and loopback-only defaults for everything that listens.
// The fault-injection soak is in ../soak.
package reliability

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/cli"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator/emulatortest"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/sandbox"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testutil.CleanupBinaries()
	os.Exit(code)
}

func writeScript(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fn.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// lambdaBudget is what Lambda allows a runtime without extensions between
// SIGTERM and SIGKILL at shutdown.
const lambdaBudget = 300 * time.Millisecond

// TestGracefulShutdownWithinLambdaBudget does what Lambda does at shutdown:
// SIGTERM, then SIGKILL once the budget is spent. The in-flight invocation
// must be answered by the runtime itself (not by the platform after the
// kill) and the runtime must have exited 0 before the SIGKILL — also when
// the function ignores SIGTERM.
func TestGracefulShutdownWithinLambdaBudget(t *testing.T) {
	rt := testutil.Binary(t, "./cmd/faas-runtime")
	cases := []struct {
		name string
		cmd  []string
		env  []string
	}{
		{"exec, function exits on SIGTERM", []string{rt, writeScript(t, `cat >/dev/null; sleep 30 & wait`)}, nil},
		{"exec, function ignores SIGTERM", []string{rt, writeScript(t, `trap '' TERM; cat >/dev/null; while :; do sleep 0.01; done`)}, nil},
		{"http, app busy with the request", []string{rt, testutil.Binary(t, "./examples/http-go")}, []string{"AWS_LWA_PORT=" + testutil.FreePort(t)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			logs := &testutil.SyncBuffer{}
			led := emulatortest.NewLedger()
			sb, err := sandbox.Start(sandbox.Options{Command: tc.cmd, Env: tc.env, Timeout: 60 * time.Second, Stderr: logs, Stdout: logs, Observe: led.Observe})
			if err != nil {
				t.Fatal(err)
			}
			defer sb.Close()
			payload := `{}`
			if strings.Contains(tc.name, "http") {
				// An API Gateway v2 request to a handler that takes 30 s.
				payload = `{"version":"2.0","rawPath":"/slow","rawQueryString":"ms=30000","requestContext":{"http":{"method":"GET","path":"/slow"}},"headers":{}}`
			}
			done := make(chan *emulator.Result, 1)
			go func() {
				r, _ := sb.Invoke(context.Background(), []byte(payload), emulator.InvokeOptions{})
				done <- r
			}()
			waitDelivered(t, sb, led)
			time.Sleep(300 * time.Millisecond) // the function is running

			start := time.Now()
			err = sb.Stop(lambdaBudget) // SIGTERM; SIGKILL when the budget is spent
			took := time.Since(start)
			t.Logf("SIGTERM to exit: %v (budget %v)", took.Round(time.Millisecond), lambdaBudget)
			if err != nil || sb.LastExitCode() != 0 {
				t.Fatalf("runtime did not exit 0 within Lambda's %v budget: %v (exit code %d)\n%s", lambdaBudget, err, sb.LastExitCode(), logs)
			}
			res := <-done
			// Finished or failed, but answered by the runtime itself.
			if res == nil || (res.Outcome != emulator.OutcomeError && res.Outcome != emulator.OutcomeResponse) {
				t.Fatalf("the in-flight invocation was not answered by the runtime: %+v", res)
			}
			t.Logf("in-flight invocation: %s %s: %.200s", res.Outcome, res.ErrorType, res.Body)
			if err := led.CheckExactlyOnce(nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func waitDelivered(t *testing.T, sb *sandbox.Sandbox, led *emulatortest.Ledger) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if len(led.Records()) > 0 && sb.Emulator().Pending() == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the invocation was never delivered")
}

// TestRuntimeLogsNoSecrets invokes functions that succeed, fail, time out
// and fail to start, with credentials in the environment and secrets in the
// events and headers; the runtime's own log lines must contain none of it.
func TestRuntimeLogsNoSecrets(t *testing.T) {
	rt := testutil.Binary(t, "./cmd/faas-runtime")
	secrets := []string{"AKIASECRETKEYID0001", "wJalrSecretAccessKey0002", "SessionTokenSecret0003", "EventBodySecret0004", "BearerTokenSecret0005"}
	env := []string{
		"AWS_ACCESS_KEY_ID=" + secrets[0], "AWS_SECRET_ACCESS_KEY=" + secrets[1], "AWS_SESSION_TOKEN=" + secrets[2],
	}
	event := `{"password":"` + secrets[3] + `","fail":false}`
	httpEvent, _ := json.Marshal(map[string]any{
		"version": "2.0", "rawPath": "/echo", "rawQueryString": "",
		"headers":        map[string]string{"authorization": "Bearer " + secrets[4]},
		"requestContext": map[string]any{"http": map[string]string{"method": "POST", "path": "/echo"}},
		"body":           event,
	})
	quiet := writeScript(t, `cat >/dev/null; if [ -n "$FAIL" ]; then exit 1; fi; [ -n "$HANG" ] && sleep 30; echo '{"ok":true}'`)
	for _, tc := range []struct {
		name    string
		cmd     []string
		env     []string
		payload string
	}{
		{"exec ok", []string{rt, quiet}, nil, event},
		{"exec error", []string{rt, quiet}, []string{"FAIL=1"}, event},
		{"exec timeout", []string{rt, quiet}, []string{"HANG=1"}, event},
		{"init error", []string{rt, "/no/such/handler"}, nil, event},
		{"http", []string{rt, testutil.Binary(t, "./examples/http-go")}, []string{"AWS_LWA_PORT=" + testutil.FreePort(t)}, string(httpEvent)},
		{"http error status", []string{rt, testutil.Binary(t, "./examples/http-go")}, []string{"AWS_LWA_PORT=" + testutil.FreePort(t), "AWS_LWA_ERROR_STATUS_CODES=200-599"}, string(httpEvent)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &testutil.SyncBuffer{}
			sb, err := sandbox.Start(sandbox.Options{Command: tc.cmd, Env: append(env, tc.env...), Timeout: time.Second, Stderr: logs, Stdout: logs})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sb.Invoke(context.Background(), []byte(tc.payload), emulator.InvokeOptions{ClientContext: `{"custom":{"k":"` + secrets[3] + `"}}`}); err != nil {
				t.Fatal(err)
			}
			sb.Close()
			out := logs.String()
			if !strings.Contains(out, "src=faas-runtime") {
				t.Fatalf("no runtime log captured:\n%s", out)
			}
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("the runtime's log contains the secret %q:\n%s", s, out)
				}
			}
		})
	}
}

// TestListenersDefaultToLoopback: nothing the project starts listens beyond
// this machine unless told to.
func TestListenersDefaultToLoopback(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{Command: []string{"/bin/true"}})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	if !strings.HasPrefix(sb.Addr(), "127.0.0.1:") {
		t.Errorf("the emulator listens on %s by default", sb.Addr())
	}
	for _, c := range cli.App().Commands {
		for _, f := range c.Flags {
			if f.Names()[0] != "listen" {
				continue
			}
			if v := flagDefault(f); !strings.HasPrefix(v, "127.0.0.1:") {
				t.Errorf("runtime-init %s --listen defaults to %q", c.Name, v)
			}
		}
	}
}

func flagDefault(f interface{ String() string }) string {
	s := f.String() // e.g. `--listen value  address ... (default: "127.0.0.1:9000")`
	if i := strings.Index(s, `(default: "`); i >= 0 {
		rest := s[i+len(`(default: "`):]
		return rest[:strings.IndexByte(rest, '"')]
	}
	return ""
}
