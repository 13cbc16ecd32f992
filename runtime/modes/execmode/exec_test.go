package execmode_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator/emulatortest"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/sandbox"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/runtime/api"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testutil.CleanupBinaries()
	os.Exit(code)
}


// startBox runs the real faas-runtime binary against the emulator and checks,
// when the test ends, that every invocation got exactly one outcome post
// (allowNone lists those the runtime could not answer, e.g. it was killed).
func startBox(t *testing.T, handler []string, timeout time.Duration, env ...string) (*sandbox.Sandbox, *testutil.SyncBuffer) {
	t.Helper()
	rt := testutil.Binary(t, "./cmd/faas-runtime")
	logs := &testutil.SyncBuffer{}
	led := emulatortest.NewLedger()
	sb, err := sandbox.Start(sandbox.Options{
		Command: append([]string{rt}, handler...),
		Env:     env,
		Timeout: timeout,
		Stderr:  logs,
		Stdout:  logs,
		Observe: led.Observe,
	})
	if err != nil {
		t.Fatal(err)
	}
	ledgers.Store(sb, led)
	t.Cleanup(func() {
		sb.Close()
		if err := led.CheckExactlyOnce(nil); err != nil {
			t.Error(err)
		}
	})
	return sb, logs
}

// ledgers holds the ledger startBox keeps for each sandbox.
var ledgers sync.Map

func ledgerOf(sb *sandbox.Sandbox) *emulatortest.Ledger {
	l, _ := ledgers.Load(sb)
	return l.(*emulatortest.Ledger)
}

func invoke(t *testing.T, sb *sandbox.Sandbox, payload string) *emulator.Result {
	t.Helper()
	res, err := sb.Invoke(context.Background(), []byte(payload), emulator.InvokeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func wantOK(t *testing.T, res *emulator.Result, body string) {
	t.Helper()
	if res.Failed() {
		t.Fatalf("want a response, got %s: %s", res.ErrorType, res.Body)
	}
	if body != "" && strings.TrimSpace(string(res.Body)) != body {
		t.Fatalf("response = %q, want %q", res.Body, body)
	}
}

func wantError(t *testing.T, res *emulator.Result, typ, msgPart string) {
	t.Helper()
	if !res.Failed() || res.ErrorType != typ {
		t.Fatalf("want error %s, got outcome %s type %q: %s", typ, res.Outcome, res.ErrorType, res.Body)
	}
	var e api.Error
	if err := json.Unmarshal(res.Body, &e); err != nil {
		t.Fatalf("error body is not Lambda's error JSON: %v: %s", err, res.Body)
	}
	if e.Type != typ || !strings.Contains(e.Message, msgPart) {
		t.Fatalf("error = %+v, want type %s and message containing %q", e, typ, msgPart)
	}
}

func TestEchoAndPassThrough(t *testing.T) {
	dir := t.TempDir()
	sb, _ := startBox(t, []string{testutil.Script(t, dir, "cat.sh", "cat")}, 3*time.Second)
	wantOK(t, invoke(t, sb, `{"a":1}`), `{"a":1}`)
	// Lambda payloads are the function's business: not JSON passes through.
	wantOK(t, invoke(t, sb, `not json at all`), `not json at all`)
	res := invoke(t, sb, ``)
	wantOK(t, res, "")
	if len(res.Body) != 0 {
		t.Fatalf("empty event: got %q", res.Body)
	}
	if sb.Starts() != 1 {
		t.Fatalf("runtime started %d times, want 1 (warm invocations reuse it)", sb.Starts())
	}
}

func TestContextReachesTheFunction(t *testing.T) {
	dir := t.TempDir()
	h := testutil.Script(t, dir, "env.sh", `cat >/dev/null; printf '%s|%s|%s|%s|%s|%s|%s' "$LAMBDA_REQUEST_ID" "$LAMBDA_DEADLINE_MS" "$LAMBDA_FUNCTION_ARN" "$_X_AMZN_TRACE_ID" "$LAMBDA_CLIENT_CONTEXT" "$LAMBDA_COGNITO_IDENTITY" "$LAMBDA_TENANT_ID"`)
	sb, _ := startBox(t, []string{h}, 3*time.Second)
	res, err := sb.Invoke(context.Background(), []byte(`{}`), emulator.InvokeOptions{
		ClientContext: `{"client":{"app":"x"}}`, CognitoIdentity: `{"cognitoIdentityId":"id-1"}`,
		TenantID: "tenant-7", TraceID: "Root=1-5e1b4151-5ac6c58f5b5dbd6a1b3cb9d0;Parent=1;Sampled=1",
	})
	if err != nil {
		t.Fatal(err)
	}
	wantOK(t, res, "")
	f := strings.Split(string(res.Body), "|")
	if len(f) != 7 {
		t.Fatalf("got %q", res.Body)
	}
	if f[0] != res.RequestID {
		t.Errorf("LAMBDA_REQUEST_ID = %q, want %q", f[0], res.RequestID)
	}
	if !strings.HasPrefix(f[1], "1") || len(f[1]) != 13 {
		t.Errorf("LAMBDA_DEADLINE_MS = %q, want Unix milliseconds", f[1])
	}
	if f[2] != sb.Emulator().FunctionARN() || f[3] != "Root=1-5e1b4151-5ac6c58f5b5dbd6a1b3cb9d0;Parent=1;Sampled=1" ||
		f[4] != `{"client":{"app":"x"}}` || f[5] != `{"cognitoIdentityId":"id-1"}` || f[6] != "tenant-7" {
		t.Errorf("context = %q", f[2:])
	}
}

func TestExitErrorCarriesStatusAndStderr(t *testing.T) {
	dir := t.TempDir()
	h := testutil.Script(t, dir, "fail.sh", `if grep -q boom; then echo "first line" >&2; echo "it went boom" >&2; exit 3; fi; echo ok`)
	sb, _ := startBox(t, []string{h}, 3*time.Second)
	wantError(t, invoke(t, sb, `{"x":"boom"}`), api.ErrTypeExit, "exit status 3")
	res := invoke(t, sb, `{"x":"boom"}`)
	wantError(t, res, api.ErrTypeExit, "it went boom")
	wantOK(t, invoke(t, sb, `{}`), "ok") // the next invocation works
}

func TestHandlerThatCrashesAtOnce(t *testing.T) {
	dir := t.TempDir()
	// Exits without reading its stdin: the runtime must not block writing it.
	sb, _ := startBox(t, []string{testutil.Script(t, dir, "crash.sh", `kill -SEGV $$`)}, 3*time.Second)
	big := strings.Repeat("x", 1<<20)
	wantError(t, invoke(t, sb, big), api.ErrTypeExit, "signal")
	wantError(t, invoke(t, sb, `{}`), api.ErrTypeExit, "signal")
	if sb.Starts() != 1 {
		t.Fatalf("a crashing function must not take the runtime down: %d starts", sb.Starts())
	}
}

func TestMissingHandlerIsAnInitError(t *testing.T) {
	sb, logs := startBox(t, []string{"/nonexistent/handler"}, 3*time.Second)
	wantError(t, invoke(t, sb, `{}`), api.ErrTypeHandlerNotFound, "/nonexistent/handler does not exist")
	// Lambda retries init on the next invocation: it fails the same way,
	// once, without a crash loop.
	wantError(t, invoke(t, sb, `{}`), api.ErrTypeHandlerNotFound, "does not exist")
	if sb.Starts() != 2 {
		t.Fatalf("runtime starts = %d, want 2 (one init per invocation)", sb.Starts())
	}
	if !strings.Contains(logs.String(), "init failed") {
		t.Fatalf("logs do not say init failed:\n%s", logs)
	}
}

func TestNonExecutableHandlerIsAnInitError(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "handler")
	os.WriteFile(p, []byte("#!/bin/sh\necho hi\n"), 0o644)
	sb, _ := startBox(t, []string{p}, 3*time.Second)
	wantError(t, invoke(t, sb, `{}`), api.ErrTypeInvalidHandler, "not executable")
	sb2, _ := startBox(t, []string{dir}, 3*time.Second)
	wantError(t, invoke(t, sb2, `{}`), api.ErrTypeInvalidHandler, "is a directory")
}

func TestHandlerFromTaskRootAndHandlerEnv(t *testing.T) {
	dir := t.TempDir()
	testutil.Script(t, dir, "fn.sh", `echo from-task-root`)
	// Relative CMD resolves against LAMBDA_TASK_ROOT.
	sb, _ := startBox(t, []string{"fn.sh"}, 3*time.Second, "LAMBDA_TASK_ROOT="+dir)
	wantOK(t, invoke(t, sb, `{}`), "from-task-root")
	// No CMD: _HANDLER.
	sb2, _ := startBox(t, nil, 3*time.Second, "LAMBDA_TASK_ROOT="+dir, "_HANDLER=fn.sh")
	wantOK(t, invoke(t, sb2, `{}`), "from-task-root")
	// Neither: a clear init error.
	sb3, _ := startBox(t, nil, 3*time.Second, "LAMBDA_TASK_ROOT="+dir, "_HANDLER=")
	wantError(t, invoke(t, sb3, `{}`), api.ErrTypeInvalidHandler, "no handler")
}

func TestOversizeResponse(t *testing.T) {
	dir := t.TempDir()
	// 7 MB of output: over Lambda's 6,291,556-byte limit (6 MiB + 100, RIE's).
	h := testutil.Script(t, dir, "big.sh", `cat >/dev/null; if [ -n "$BIG" ]; then head -c 7340032 /dev/zero | tr '\0' a; else echo small; fi`)
	sb, _ := startBox(t, []string{h}, 5*time.Second, "BIG=1")
	wantError(t, invoke(t, sb, `{}`), api.ErrTypeResponseTooBig, "6291556")
	wantError(t, invoke(t, sb, `{}`), api.ErrTypeResponseTooBig, "7340032 bytes")
	// Exactly at the limit is fine; one byte more is not.
	h2 := testutil.Script(t, dir, "exact.sh", `head -c "$(cat)" /dev/zero | tr '\0' a`)
	sb2, _ := startBox(t, []string{h2}, 5*time.Second)
	res := invoke(t, sb2, fmt.Sprint(api.MaxResponse))
	wantOK(t, res, "")
	if len(res.Body) != api.MaxResponse {
		t.Fatalf("got %d bytes, want %d", len(res.Body), api.MaxResponse)
	}
	wantError(t, invoke(t, sb2, fmt.Sprint(api.MaxResponse+1)), api.ErrTypeResponseTooBig, "6291557 bytes")
}

func TestTimeoutKillsTheProcessGroup(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "grandchild-alive")
	// The function starts a grandchild, then never exits.
	h := testutil.Script(t, dir, "hang.sh", `if grep -q hang; then (trap '' TERM; while :; do touch `+marker+`; sleep 0.05; done) & sleep 1000; fi; echo fine`)
	sb, _ := startBox(t, []string{h}, time.Second)
	res := invoke(t, sb, `{"hang":1}`)
	wantError(t, res, api.ErrTypeTimeout, "timed out")
	if res.Outcome != emulator.OutcomeError {
		t.Fatalf("the runtime should answer the timeout itself before Lambda's deadline; outcome %s", res.Outcome)
	}
	// SIGKILL to the group ended the grandchild that ignored SIGTERM.
	os.Remove(marker)
	time.Sleep(300 * time.Millisecond)
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the function's grandchild is still running after the timeout")
	}
	wantOK(t, invoke(t, sb, `{}`), "fine")
	if sb.Starts() != 1 {
		t.Fatalf("runtime restarted (%d starts); the runtime itself should survive a function timeout", sb.Starts())
	}
}

func TestStderrFloodStreamsWithoutBuffering(t *testing.T) {
	dir := t.TempDir()
	// 64 MB of logs: streamed through, only a small tail is kept.
	h := testutil.Script(t, dir, "flood.sh", `cat >/dev/null; head -c 67108864 /dev/zero | tr '\0' e >&2; echo done`)
	rt := testutil.Binary(t, "./cmd/faas-runtime")
	led := emulatortest.NewLedger()
	sb, err := sandbox.Start(sandbox.Options{Command: []string{rt, h}, Stderr: io.Discard, Stdout: io.Discard, Timeout: 30 * time.Second, Observe: led.Observe})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	wantOK(t, invoke(t, sb, `{}`), "done")
	wantOK(t, invoke(t, sb, `{}`), "done")
	if err := led.CheckExactlyOnce(nil); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentInvocations(t *testing.T) {
	dir := t.TempDir()
	// Each invocation waits (up to 2 s) until 4 are running at once.
	h := testutil.Script(t, dir, "gather.sh", `cat >/dev/null; touch `+dir+`/run.$LAMBDA_REQUEST_ID; i=0; while [ $(ls `+dir+` | grep -c '^run\.') -lt 4 ] && [ $i -lt 40 ]; do sleep 0.05; i=$((i+1)); done; ls `+dir+` | grep -c '^run\.'`)
	sb, _ := startBox(t, []string{h}, 5*time.Second, "AWS_LAMBDA_MAX_CONCURRENCY=4")
	var wg sync.WaitGroup
	results := make([]*emulator.Result, 4)
	for i := range results {
		wg.Go(func() { results[i] = invoke(t, sb, `{}`) })
	}
	wg.Wait()
	for _, r := range results {
		wantOK(t, r, "4")
	}
}

func TestBadConcurrencyIsAnInitError(t *testing.T) {
	dir := t.TempDir()
	sb, _ := startBox(t, []string{testutil.Script(t, dir, "ok.sh", "echo ok")}, 3*time.Second, "AWS_LAMBDA_MAX_CONCURRENCY=zero")
	wantError(t, invoke(t, sb, `{}`), api.ErrTypeBadConfig, "AWS_LAMBDA_MAX_CONCURRENCY")
}

func TestSIGTERMIsForwardedAndTheRuntimeExitsZero(t *testing.T) {
	dir := t.TempDir()
	h := testutil.Script(t, dir, "slow.sh", `trap 'echo got-term >&2; exit 143' TERM; sleep 30 & wait`)
	sb, logs := startBox(t, []string{h}, 60*time.Second)
	done := make(chan *emulator.Result, 1)
	go func() { done <- invoke(t, sb, `{}`) }()
	for sb.Emulator().Pending() > 0 || len(ledgerOf(sb).Records()) == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // the function is running
	if err := sb.Stop(2 * time.Second); err != nil {
		t.Fatalf("runtime exit after SIGTERM: %v (want exit 0)", err)
	}
	wantError(t, <-done, api.ErrTypeExit, "shutting down")
	if !strings.Contains(logs.String(), "got-term") {
		t.Fatalf("the function did not receive SIGTERM:\n%s", logs)
	}
}

func TestMissingRuntimeAPI(t *testing.T) {
	rt := testutil.Binary(t, "./cmd/faas-runtime")
	cmd := exec.Command(rt, "/bin/true")
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("want exit 1, got %v", err)
	}
	if !strings.Contains(string(out), "AWS_LAMBDA_RUNTIME_API is not set") {
		t.Fatalf("unclear message: %s", out)
	}
}

func TestRuntimeAPIGoneMidInvocation(t *testing.T) {
	dir := t.TempDir()
	rt := testutil.Binary(t, "./cmd/faas-runtime")
	h := testutil.Script(t, dir, "slow.sh", `cat >/dev/null; sleep 0.5; echo late`)
	logs := &testutil.SyncBuffer{}
	// The runtime reaches the Runtime API through a TCP relay that the
	// test cuts while the function runs: the API going away.
	var sb *sandbox.Sandbox
	relay := startRelay(t, func() string { return sb.Addr() })
	led := emulatortest.NewLedger()
	sb, err := sandbox.Start(sandbox.Options{Command: []string{rt, h}, Stderr: logs, Stdout: logs, Observe: led.Observe, RuntimeAPI: relay.addr()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	go sb.Invoke(context.Background(), []byte(`{}`), emulator.InvokeOptions{})
	for len(led.Records()) == 0 || sb.Emulator().Pending() > 0 {
		time.Sleep(10 * time.Millisecond)
	}
	relay.cut()
	deadline := time.Now().Add(10 * time.Second)
	for sb.Running() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if sb.Running() {
		t.Fatal("the runtime kept running with its Runtime API gone")
	}
	if code := sb.LastExitCode(); code != 1 {
		t.Fatalf("runtime exit code %d, want 1", code)
	}
	if !strings.Contains(logs.String(), "unreachable") {
		t.Fatalf("no clear log line about the unreachable Runtime API:\n%s", logs.String())
	}
}

// relay forwards TCP connections to an address known later (the
// sandbox's), until cut closes its listener and every connection.
type relay struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func startRelay(t *testing.T, target func() string) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{ln: ln}
	t.Cleanup(r.cut)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target())
			if err != nil {
				c.Close()
				continue
			}
			r.mu.Lock()
			r.conns = append(r.conns, c, up)
			r.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	return r
}

func (r *relay) addr() string { return r.ln.Addr().String() }

func (r *relay) cut() {
	r.ln.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		c.Close()
	}
}

// TestInvocationErrorWording: the runtime's own invocation errors say
// "RequestId: <id> Error: " once, as Lambda's do; the size error keeps
// RIE's words, which have none.
func TestInvocationErrorWording(t *testing.T) {
	dir := t.TempDir()
	h := testutil.Script(t, dir, "fail.sh", `if grep -q big; then head -c 7340032 /dev/zero; else exit 3; fi`)
	sb, _ := startBox(t, []string{h}, 5*time.Second)
	res := invoke(t, sb, `{}`)
	wantError(t, res, api.ErrTypeExit, "exit status 3")
	var e api.Error
	if err := json.Unmarshal(res.Body, &e); err != nil || !strings.HasPrefix(e.Message, "RequestId: "+res.RequestID+" Error: Runtime exited with error: ") || strings.Count(e.Message, "RequestId:") != 1 {
		t.Errorf("exit error message %q (request %s)", e.Message, res.RequestID)
	}
	res = invoke(t, sb, `"big"`)
	wantError(t, res, api.ErrTypeResponseTooBig, "Response payload size")
	if strings.Contains(string(res.Body), "RequestId") {
		t.Errorf("size error %s", res.Body)
	}
}
