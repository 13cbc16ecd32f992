package cli_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// These tests hold serve to Lambda's Invoke API reference
// (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html) through
// the real binaries: runtime-init serve running faas-runtime.

// invokeReq sends one Invoke request with headers h.
func invokeReq(t *testing.T, url string, body []byte, h map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, resp.Header, b.Bytes()
}

// What Lambda refuses never reaches the function: a payload that is not
// JSON (400 InvalidRequestContentException), one over 6 MB synchronous or
// 1 MB asynchronous (413 RequestEntityTooLargeException), an unknown
// function (404 ResourceNotFoundException). invoke refuses the first with
// exit 2.
func TestLambdaRefusals(t *testing.T) {
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	h := testutil.Script(t, dir, "count.sh", `cat >/dev/null; echo x >> `+calls+`; echo '{}'`)
	url, _ := testutil.Serve(t, nil, "--", h)
	cases := []struct {
		name, invType string
		body          []byte
		status        int
		errType, msg  string
	}{
		{"not json", "", []byte("not json"), 400, "InvalidRequestContentException", "Could not parse request body into json"},
		{"over 6 MB", "", bytes.Repeat([]byte(" "), 7000000), 413, "RequestEntityTooLargeException", "7000000 byte payload is too large for the RequestResponse invocation type (limit 6291456 bytes)"},
		{"over 1 MB async", "Event", append(append([]byte(`"`), bytes.Repeat([]byte("a"), 1024*1024)...), '"'), 413, "RequestEntityTooLargeException", "too large for the Event invocation type (limit 1048576 bytes)"},
		{"bad invocation type", "Later", []byte(`{}`), 400, "InvalidParameterValueException", "Later"},
	}
	for _, c := range cases {
		code, hdr, b := invokeReq(t, url, c.body, map[string]string{"X-Amz-Invocation-Type": c.invType})
		if code != c.status || hdr.Get("X-Amzn-ErrorType") != c.errType || !strings.Contains(string(b), c.msg) {
			t.Errorf("%s: %d %s %.300s, want %d %s %q", c.name, code, hdr.Get("X-Amzn-ErrorType"), b, c.status, c.errType, c.msg)
		}
	}
	unknown := strings.Replace(url, "/functions/function/", "/functions/nope/", 1)
	code, hdr, b := invokeReq(t, unknown, []byte(`{}`), nil)
	if code != 404 || hdr.Get("X-Amzn-ErrorType") != "ResourceNotFoundException" || !strings.Contains(string(b), "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope") {
		t.Errorf("unknown function: %d %v %s", code, hdr, b)
	}
	if got, err := os.ReadFile(calls); err == nil {
		t.Fatalf("refused requests reached the function %d times", bytes.Count(got, []byte("x")))
	}
	// The same function takes a JSON event (so it was there to be reached).
	if code, _, b := invokeReq(t, url, []byte(`{"ok":1}`), nil); code != 200 {
		t.Fatalf("valid event: %d %s", code, b)
	}
	if _, stderr, code := runCLI(t, "not json", "invoke", "--event", "-", "--", h); code != 2 || !strings.Contains(stderr, "InvalidRequestContentException") {
		t.Fatalf("invoke with a non-JSON event: exit %d: %s", code, stderr)
	}
	if got, _ := os.ReadFile(calls); bytes.Count(got, []byte("x")) != 1 {
		t.Fatalf("the function ran %d times, want once", bytes.Count(got, []byte("x")))
	}
}

// Invoke's headers and status codes: X-Amz-Executed-Version, the log tail
// (START, the function's lines, END and REPORT, base64, at most 4 KB),
// 204 for DryRun; and REPORT's measured values in serve's log.
func TestInvokeAPIDetails(t *testing.T) {
	logs := &testutil.SyncBuffer{}
	url, _ := testutil.Serve(t, logs, "--", "examples/echo-sh/handler.sh")
	code, hdr, b := invokeReq(t, url, []byte(`{"n":1}`), map[string]string{"X-Amz-Log-Type": "Tail"})
	if code != 200 || hdr.Get("X-Amz-Executed-Version") != "$LATEST" || hdr.Get("X-Amzn-RequestId") == "" {
		t.Fatalf("invoke: %d %v %s", code, hdr, b)
	}
	var got struct{ RequestID string }
	_ = json.Unmarshal(b, &got)
	tail, err := base64.StdEncoding.DecodeString(hdr.Get("X-Amz-Log-Result"))
	if err != nil || len(tail) > 4096 {
		t.Fatalf("log result: %v, %d bytes", err, len(tail))
	}
	for _, want := range []string{"START RequestId: " + got.RequestID + " Version: $LATEST", "echo-sh: request " + got.RequestID,
		"END RequestId: " + got.RequestID, "REPORT RequestId: " + got.RequestID + "\tDuration: ", "\tInit Duration: "} {
		if !strings.Contains(string(tail), want) {
			t.Errorf("log tail lacks %q:\n%s", want, tail)
		}
	}
	code, hdr, b = invokeReq(t, url, []byte(`{"n":2}`), map[string]string{"X-Amz-Invocation-Type": "DryRun"})
	if code != 204 || len(b) != 0 {
		t.Fatalf("DryRun: %d %v %s", code, hdr, b)
	}
	// A warm invocation's REPORT has no Init Duration; Max Memory Used is
	// measured (a shell and faas-runtime use more than 1 MB).
	code, hdr, _ = invokeReq(t, url, []byte(`{"n":3}`), map[string]string{"X-Amz-Log-Type": "Tail"})
	tail, _ = base64.StdEncoding.DecodeString(hdr.Get("X-Amz-Log-Result"))
	report := reportLine(t, string(tail))
	if code != 200 || strings.Contains(report, "Init Duration") || strings.Contains(report, "Max Memory Used: 0 MB") || !strings.Contains(report, "Memory Size: 128 MB") {
		t.Fatalf("warm REPORT: %q", report)
	}
	// The same line is in serve's log (read from its stderr as it comes).
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logs.String(), report); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve's log lacks the REPORT line %q:\n%s", report, logs)
		}
	}
}

func reportLine(t *testing.T, log string) string {
	t.Helper()
	for line := range strings.Lines(log) {
		if strings.HasPrefix(line, "REPORT ") {
			return strings.TrimSuffix(line, "\n")
		}
	}
	t.Fatalf("no REPORT line in:\n%s", log)
	return ""
}

// serve runs several functions by name; the one-function form answers
// RIE's fixed name.
func TestServeSeveralFunctions(t *testing.T) {
	dir := t.TempDir()
	a := testutil.Script(t, dir, "a.sh", `cat >/dev/null; echo '"a"'`)
	b := testutil.Script(t, dir, "b.sh", `cat >/dev/null; echo '"b"'`)
	url, _ := testutil.Serve(t, nil, "--no-report", "--function", "alpha="+a, "--function", "beta="+b)
	base, _, _ := strings.Cut(url, "/functions/")
	for name, want := range map[string]string{"alpha": `"a"`, "beta": `"b"`,
		"arn:aws:lambda:us-east-1:000000000000:function:beta": `"b"`} {
		code, _, got := invokeReq(t, base+"/functions/"+name+"/invocations", []byte(`{}`), nil)
		if code != 200 || strings.TrimSpace(string(got)) != want {
			t.Errorf("%s: %d %s, want %s", name, code, got, want)
		}
	}
	if code, _, _ := invokeReq(t, base+"/functions/function/invocations", []byte(`{}`), nil); code != 404 {
		t.Errorf("RIE's name with two functions: %d, want 404", code)
	}
	if _, stderr, code := runCLI(t, "", "serve", "--function", "alpha", "--listen", "127.0.0.1:0"); code != 2 || !strings.Contains(stderr, "NAME=HANDLER") {
		t.Errorf("--function without =: exit %d: %s", code, stderr)
	}
}

// An asynchronous invocation is answered 202 at once; one that fails is
// retried twice, keeping its request id, then lands in the on-failure
// directory as Lambda's destination record; a success, when asked, in
// the on-success one.
func TestAsyncInvocation(t *testing.T) {
	dir := t.TempDir()
	attempts := filepath.Join(dir, "attempts")
	fail, ok := filepath.Join(dir, "failed"), filepath.Join(dir, "succeeded")
	for _, d := range []string{fail, ok} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	h := testutil.Script(t, dir, "flaky.sh", `ev=$(cat); echo "$LAMBDA_REQUEST_ID" >> `+attempts+`
case "$ev" in *fail*) echo '{"errorType":"Flaky","errorMessage":"no luck"}'; exit 1;; esac
echo '{"done":true}'`)
	url, _ := testutil.Serve(t, nil, "--retry-delay", "100ms", "--on-failure", fail, "--on-success", ok, "--", h)
	start := time.Now()
	code, hdr, b := invokeReq(t, url, []byte(`{"fail":true}`), map[string]string{"X-Amz-Invocation-Type": "Event"})
	if code != 202 || len(b) != 0 || time.Since(start) > 2*time.Second {
		t.Fatalf("async invoke: %d %v %s after %v", code, hdr, b, time.Since(start))
	}
	id := hdr.Get("X-Amzn-RequestId")
	rec := waitRecord(t, filepath.Join(fail, id+".json"))
	if rec.RequestContext.Condition != "RetriesExhausted" || rec.RequestContext.ApproximateInvokeCount != 3 ||
		rec.RequestContext.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:function:$LATEST" ||
		string(rec.RequestPayload) != `{"fail":true}` || rec.ResponseContext.FunctionError != "Unhandled" ||
		rec.ResponseContext.StatusCode != 200 || !strings.Contains(string(rec.ResponsePayload), `"errorType":"Runtime.ExitError"`) {
		t.Fatalf("failure record: %+v %s %s", rec, rec.RequestPayload, rec.ResponsePayload)
	}
	if got, _ := os.ReadFile(attempts); strings.Count(string(got), id) != 3 {
		t.Fatalf("attempts, want 3 with request id %s:\n%s", id, got)
	}
	_, hdr, _ = invokeReq(t, url, []byte(`{"n":1}`), map[string]string{"X-Amz-Invocation-Type": "Event"})
	rec = waitRecord(t, filepath.Join(ok, hdr.Get("X-Amzn-RequestId")+".json"))
	if rec.RequestContext.Condition != "Success" || rec.RequestContext.ApproximateInvokeCount != 1 || string(rec.ResponsePayload) != `{"done":true}` {
		t.Fatalf("success record: %+v %s", rec, rec.ResponsePayload)
	}
}

type destinationRecord struct {
	Version        string
	Timestamp      string
	RequestContext struct {
		RequestID              string
		FunctionArn            string
		Condition              string
		ApproximateInvokeCount int
	}
	RequestPayload  json.RawMessage
	ResponseContext struct {
		StatusCode      int
		ExecutedVersion string
		FunctionError   string
	}
	ResponsePayload json.RawMessage
}

func waitRecord(t *testing.T, path string) destinationRecord {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err == nil {
			var rec destinationRecord
			if err := json.Unmarshal(b, &rec); err != nil || rec.Version != "1.0" || rec.Timestamp == "" {
				t.Fatalf("%s: %v\n%s", path, err, b)
			}
			return rec
		}
		if time.Now().After(deadline) {
			t.Fatalf("no destination record %s", path)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// serve --function-url puts an http-mode app behind a Lambda function URL:
// a browser's or curl's request becomes the function URL event and the
// app's answer the HTTP response, buffered or streamed as it is produced.
func TestFunctionURL(t *testing.T) {
	app := testutil.Binary(t, "./examples/http-go")
	for _, mode := range []string{"BUFFERED", "RESPONSE_STREAM"} {
		t.Run(mode, func(t *testing.T) {
			urlAddr := "127.0.0.1:" + testutil.FreePort(t)
			args := []string{"--no-report", "--function-url", urlAddr, "--invoke-mode", mode, "--env", "AWS_LWA_PORT=" + testutil.FreePort(t)}
			if mode == "RESPONSE_STREAM" {
				args = append(args, "--env", "AWS_LWA_INVOKE_MODE=response_stream")
			}
			testutil.Serve(t, nil, append(args, "--", app)...)
			base := "http://" + urlAddr
			waitUp(t, base+"/")
			req, _ := http.NewRequest(http.MethodPost, base+"/echo?a=1&b=2", strings.NewReader("hello"))
			req.Header.Set("X-Test", "yes")
			req.AddCookie(&http.Cookie{Name: "c", Value: "1"})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var echo struct {
				Method, Path, Body, Query string
				Headers                   map[string][]string
			}
			err = json.NewDecoder(resp.Body).Decode(&echo)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 || echo.Method != "POST" || echo.Path != "/echo" || echo.Body != "hello" ||
				echo.Query != "a=1&b=2" || echo.Headers["X-Test"][0] != "yes" {
				t.Fatalf("echo: %d %v %+v", resp.StatusCode, err, echo)
			}
			resp, err = http.Get(base + "/cookies")
			if err != nil || len(resp.Cookies()) != 2 {
				t.Fatalf("cookies: %v %v", err, resp.Header)
			}
			resp.Body.Close()
			resp, _ = http.Get(base + "/status/418")
			if resp.StatusCode != 418 {
				t.Fatalf("status: %d", resp.StatusCode)
			}
			resp.Body.Close()
			if mode != "RESPONSE_STREAM" {
				return
			}
			// Three chunks 250 ms apart arrive as they are sent.
			resp, err = http.Get(base + "/stream?n=3&ms=250")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			buf := make([]byte, 64)
			start := time.Now()
			n, _ := resp.Body.Read(buf)
			first := time.Since(start)
			rest, _ := io.ReadAll(resp.Body)
			all := string(buf[:n]) + string(rest)
			if all != "chunk 0\nchunk 1\nchunk 2\n" || first > 400*time.Millisecond || time.Since(start) < 400*time.Millisecond {
				t.Fatalf("stream %q: first chunk after %v, all after %v", all, first, time.Since(start))
			}
		})
	}
}

// waitUp waits until url answers (the app behind it has started).
func waitUp(t *testing.T, url string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer: %v", url, err)
		}
	}
}

// What the function logs before it answers is in its log before END and
// REPORT, in every invocation's tail, as in Lambda: the environment's
// output reaches the log stream through one pipe that is drained first.
func TestLogLinesBeforeEnd(t *testing.T) {
	url, _ := testutil.Serve(t, nil, "--", "examples/echo-sh/handler.sh")
	for i := range 30 {
		code, hdr, b := invokeReq(t, url, []byte(`{}`), map[string]string{"X-Amz-Log-Type": "Tail"})
		var got struct{ RequestID string }
		if code != 200 || json.Unmarshal(b, &got) != nil {
			t.Fatalf("invocation %d: %d %s", i, code, b)
		}
		tail, _ := base64.StdEncoding.DecodeString(hdr.Get("X-Amz-Log-Result"))
		line := strings.Index(string(tail), "echo-sh: request "+got.RequestID)
		end := strings.Index(string(tail), "END RequestId: "+got.RequestID)
		if line < 0 || end < 0 || line > end {
			t.Fatalf("invocation %d: the function's line is not before END:\n%s", i, tail)
		}
	}
}
