package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// These tests hold runtime-init invoke and serve to the AWS Runtime
// Interface Emulator (RIE) and to Lambda, with two real runtimes: the
// built-in faas-runtime and an aws-lambda-go bootstrap (test/awsgofn).

func awsgo(t *testing.T) string { return testutil.Binary(t, "./test/awsgofn") }

func errorOf(t *testing.T, out string) api.Error {
	t.Helper()
	var e api.Error
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatalf("not an error JSON: %.300s", out)
	}
	return e
}

// A response over 6,291,556 bytes (RIE's limit) ends the invocation at
// once with Function.ResponseSizeTooLarge; one of exactly that size is
// returned. The aws-lambda-go runtime gets a 413 (not a reset connection).
func TestResponseLimit(t *testing.T) {
	for _, rt := range []struct {
		name string
		args []string
	}{
		{"aws-lambda-go", []string{"--runtime", awsgo(t), "--", "fn"}},
		{"faas-runtime exec", []string{"--", "test/awsgofn/testdata/size.sh"}},
	} {
		t.Run(rt.name, func(t *testing.T) {
			start := time.Now()
			out, logs, code := runCLI(t, `{"size": 6291557}`, append([]string{"invoke", "--timeout", "60s", "--event", "-"}, rt.args...)...)
			e := errorOf(t, out)
			if code != 1 || e.Type != api.ErrTypeResponseTooBig || !strings.Contains(e.Message, "(6291557 bytes)") || !strings.Contains(e.Message, "(6291556 bytes)") {
				t.Fatalf("6,291,557 bytes: exit %d, %+v\n%s", code, e, logs)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Fatalf("the oversized response took %s to be answered: it must end the invocation at once", d)
			}
			out, logs, code = runCLI(t, `{"size": 6291556}`, append([]string{"invoke", "--event", "-"}, rt.args...)...)
			if code != 0 || len(strings.TrimSuffix(out, "\n")) != api.MaxResponse {
				t.Fatalf("6,291,556 bytes: exit %d, %d bytes\n%s", code, len(out), logs)
			}
		})
	}
}

// serve goes on after an oversized response: the aws-lambda-go runtime
// exits on the 413 and the next invocation gets a fresh one. The runtime
// is not stopped by serve here, so it has the time to log the 413 it got
// (under invoke the environment ends with the invocation).
func TestServeAfterOversizedResponse(t *testing.T) {
	logs := &testutil.SyncBuffer{}
	url, _ := testutil.Serve(t, logs, "--runtime", awsgo(t), "--", "fn")
	code, h, b := testutil.Post(t, url, []byte(`{"size": 7000000}`))
	if code != 200 || h.Get("X-Amz-Function-Error") != "Unhandled" || errorOf(t, string(b)).Type != api.ErrTypeResponseTooBig {
		t.Fatalf("oversized: %d %v %.200s", code, h, b)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), "413"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("aws-lambda-go did not see the 413:\n%s", logs.String())
		}
	}
	if code, _, b := testutil.Post(t, url, []byte(`{"x":1}`)); code != 200 || string(b) != `{"x":1}` {
		t.Fatalf("next invocation: %d %s", code, b)
	}
}

var logStreamRE = regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`)

// The function's name, memory and timeout come from the flags, else the
// user's environment (--env, then runtime-init's own), as RIE honours them;
// _HANDLER and the log group and stream are set as Lambda sets them.
func TestFunctionSettings(t *testing.T) {
	type settings struct {
		Name, Version, LogGroup, LogStream, Handler, Timeout, ARN string
		Memory                                                    int
	}
	get := func(t *testing.T, args ...string) settings {
		t.Helper()
		out, logs, code := runCLI(t, `{"settings": true}`, append(append([]string{"invoke", "--event", "-"}, args...), "--runtime", awsgo(t), "--", "my.handler")...)
		var s settings
		if code != 0 || json.Unmarshal([]byte(out), &s) != nil {
			t.Fatalf("exit %d: %s\n%s", code, out, logs)
		}
		return s
	}
	s := get(t)
	if s.Name != "function" || s.Memory != 128 || s.Version != "$LATEST" || s.Handler != "my.handler" || s.Timeout != "3" ||
		s.LogGroup != "/aws/lambda/function" || !logStreamRE.MatchString(s.LogStream) ||
		s.ARN != "arn:aws:lambda:us-east-1:000000000000:function:function" {
		t.Errorf("defaults: %+v", s)
	}
	s = get(t, "--function-name", "orders", "--memory", "1024", "--timeout", "7s")
	if s.Name != "orders" || s.Memory != 1024 || s.Timeout != "7" || s.LogGroup != "/aws/lambda/orders" || !strings.HasSuffix(s.ARN, ":function:orders") {
		t.Errorf("flags: %+v", s)
	}
	// The environment is the fallback; --env comes before runtime-init's own.
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "from-env")
	t.Setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
	t.Setenv("AWS_LAMBDA_LOG_GROUP_NAME", "/custom/group")
	t.Setenv("AWS_ACCOUNT_ID", "123456789012")
	s = get(t, "--env", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512", "--env", "_HANDLER=other.handler", "--env", "AWS_LAMBDA_FUNCTION_TIMEOUT=9")
	if s.Name != "from-env" || s.Memory != 512 || s.Handler != "other.handler" || s.Timeout != "9" || s.LogGroup != "/custom/group" || s.ARN != "arn:aws:lambda:us-east-1:123456789012:function:from-env" {
		t.Errorf("environment: %+v", s)
	}
	if s = get(t, "--function-name", "flag-wins"); s.Name != "flag-wins" || !strings.HasSuffix(s.ARN, ":function:flag-wins") {
		t.Errorf("flag over environment: %+v", s)
	}

	// The same through faas-runtime, in a shell function's environment.
	out, logs, code := runCLI(t, "", "invoke", "--function-name", "sh-fn", "--memory", "2048", "--", "test/awsgofn/testdata/settings.sh")
	if code != 0 || strings.TrimSpace(out) != "sh-fn 2048 test/awsgofn/testdata/settings.sh /custom/group" {
		t.Errorf("faas-runtime: exit %d: %q\n%s", code, out, logs)
	}

	for _, args := range [][]string{
		{"--memory", "64"}, {"--memory", "20000"}, {"--function-name", "no spaces"}, {"--env", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=lots"},
	} {
		if _, stderr, code := runCLI(t, "", append(append([]string{"invoke"}, args...), "--", "x")...); code != 2 || !strings.Contains(stderr, "runtime-init:") {
			t.Errorf("%v: exit %d, %q; want 2 with a message", args, code, stderr)
		}
	}
}

// span is what the concurrency functions answer: which runtime process
// ran the invocation, and when.
type span struct {
	PID         int   `json:"pid"`
	Concurrency int   `json:"concurrency"`
	Start, End  int64 // Unix ns
}

// invokeAll sends n invocations at once and returns their answers.
func invokeAll(t *testing.T, url string, n int, event string) []span {
	t.Helper()
	out := make([]span, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			code, _, b := testutil.Post(t, url, []byte(event))
			if code != 200 || json.Unmarshal(b, &out[i]) != nil || out[i].PID == 0 {
				t.Errorf("invocation %d: %d %s", i, code, b)
			}
		})
	}
	wg.Wait()
	return out
}

func pids(spans []span) map[int]bool {
	m := map[int]bool{}
	for _, s := range spans {
		m[s.PID] = true
	}
	return m
}

// Local concurrency, beyond RIE (which fails a second concurrent invoke):
// --environments N runs up to N runtime processes, as Lambda scales out;
// Managed Instances mode (--max-concurrency, AWS_LAMBDA_MAX_CONCURRENCY)
// sends concurrent invocations to one runtime; by default one environment
// takes them one at a time.
func TestServeConcurrency(t *testing.T) {
	const n = 3
	awsgoArgs := []string{"--runtime", awsgo(t), "--", "fn"}
	shArgs := []string{"--", "test/awsgofn/testdata/sleep.sh"}
	for _, tc := range []struct {
		name     string
		flags    []string
		env      []string
		runtime  []string
		event    string
		runtimes int // distinct runtime processes expected
		parallel bool
	}{
		{"aws-lambda-go/environments", []string{"--environments", "3"}, nil, awsgoArgs, `{"sleep": 1500}`, n, true},
		{"faas-runtime/environments", []string{"--environments", "3"}, nil, shArgs, `{}`, n, true},
		{"aws-lambda-go/managed-instances", []string{"--max-concurrency", "3"}, nil, awsgoArgs, `{"sleep": 1500}`, 1, true},
		{"faas-runtime/managed-instances", nil, []string{"AWS_LAMBDA_MAX_CONCURRENCY=3"}, shArgs, `{}`, 1, true},
		{"aws-lambda-go/one-environment", nil, nil, awsgoArgs, `{"sleep": 300}`, 1, false},
		{"faas-runtime/one-environment", nil, nil, shArgs, `{}`, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, kv := range tc.env {
				k, v, _ := strings.Cut(kv, "=")
				t.Setenv(k, v)
			}
			url, _ := testutil.Serve(t, nil, append(tc.flags, tc.runtime...)...)
			spans := invokeAll(t, url, n, tc.event)
			if got := len(pids(spans)); got != tc.runtimes {
				t.Errorf("%d runtime processes served %d concurrent invocations, want %d: %+v", got, n, tc.runtimes, spans)
			}
			if tc.runtimes == 1 && tc.parallel && strings.HasPrefix(tc.name, "aws-lambda-go") && spans[0].Concurrency != n {
				t.Errorf("the runtime was told AWS_LAMBDA_MAX_CONCURRENCY=%d", spans[0].Concurrency)
			}
			// Overlap: all ran at once iff the last start precedes the first end.
			lastStart, firstEnd := spans[0].Start, spans[0].End
			for _, s := range spans {
				lastStart, firstEnd = max(lastStart, s.Start), min(firstEnd, s.End)
			}
			if overlap := lastStart < firstEnd; overlap != tc.parallel {
				t.Errorf("overlapping %v, want %v: %+v", overlap, tc.parallel, spans)
			}
		})
	}
}

// The ways serve differs from RIE, on purpose (docs/local-emulator.md):
// each row of the table, through the binary.
func TestServeDiffersFromRIE(t *testing.T) {
	dir := t.TempDir()
	h := filepath.Join(dir, "h.sh")
	os.WriteFile(h, []byte("#!/bin/sh\nev=$(cat)\ncase \"$ev\" in\n*crash*) kill -9 $PPID ;;\n*hang*) sleep 30 ;;\nesac\necho \"$ev\"\n"), 0o755)
	url, _ := testutil.Serve(t, nil, "--timeout", "1s", "--", h)

	// Content-Type passed through (RIE answers without the function's).
	code, hdr, _ := testutil.Post(t, url, []byte(`{"x":1}`))
	if code != 200 || hdr.Get("Content-Type") != "application/json" {
		t.Errorf("response: %d Content-Type %q", code, hdr.Get("Content-Type"))
	}
	// A crashed runtime: status 200 with X-Amz-Function-Error, as Lambda's
	// Invoke API answers (RIE: 502).
	code, hdr, b := testutil.Post(t, url, []byte(`"crash"`))
	if code != 200 || hdr.Get("X-Amz-Function-Error") != "Unhandled" || errorOf(t, string(b)).Type != api.ErrTypeExit {
		t.Errorf("crash: %d %v %s", code, hdr, b)
	}
	// A timeout: a JSON Sandbox.Timedout error (RIE: plain text).
	code, hdr, b = testutil.Post(t, url, []byte(`"hang"`))
	if e := errorOf(t, string(b)); code != 200 || hdr.Get("X-Amz-Function-Error") != "Unhandled" || e.Type != api.ErrTypeTimeout || !strings.Contains(e.Message, "Task timed out after 1.00 seconds") {
		t.Errorf("timeout: %d %v %s", code, hdr, b)
	}
	// An event over 6 MB: 413 RequestEntityTooLargeException, as Lambda
	// refuses it (RIE accepts it).
	big := fmt.Appendf(nil, "%q", strings.Repeat("a", api.MaxPayload))
	code, hdr, b = testutil.Post(t, url, big)
	if code != 413 || hdr.Get("X-Amzn-ErrorType") != "RequestEntityTooLargeException" || !strings.Contains(string(b), "too large for the RequestResponse invocation type") {
		t.Errorf("oversized event: %d %v %.200s", code, hdr, b)
	}
}
