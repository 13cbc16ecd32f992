package emulator_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator/emulatortest"
	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// These tests play the runtime's side by hand, to pin the emulator to the
// real Runtime API's routes, headers and status codes.

func start(t *testing.T, cfg emulator.Config) (*emulator.Emulator, string) {
	t.Helper()
	l := emulatortest.NewLedger()
	also := cfg.Observe
	cfg.Observe = func(ev emulator.Event) {
		l.Observe(ev)
		if also != nil {
			also(ev)
		}
	}
	e := emulator.New(cfg)
	ledgers.Store(e, l)
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	return e, srv.URL
}

// ledgers holds the ledger start kept for each emulator.
var ledgers sync.Map

func ledger(e *emulator.Emulator) *emulatortest.Ledger {
	l, _ := ledgers.Load(e)
	return l.(*emulatortest.Ledger)
}

type invokeResult struct {
	res *emulator.Result
	err error
}

func invokeAsync(e *emulator.Emulator, payload string, opts emulator.InvokeOptions) chan invokeResult {
	ch := make(chan invokeResult, 1)
	go func() {
		r, err := e.Invoke(context.Background(), []byte(payload), opts)
		ch <- invokeResult{r, err}
	}()
	return ch
}

func next(t *testing.T, base string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(base + api.PathNext)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func post(t *testing.T, url, ctype string, body []byte, h map[string]string) (int, []byte) {
	t.Helper()
	hh := map[string]string{"Content-Type": ctype}
	for k, v := range h {
		hh[k] = v
	}
	code, _, b := request(t, http.MethodPost, url, body, hh)
	return code, b
}

// request sends one request with headers h (an empty value is left out)
// and returns the status, the answer's headers and its body.
func request(t *testing.T, method, url string, body []byte, h map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	for k, v := range h {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func errType(t *testing.T, b []byte) string {
	t.Helper()
	var e api.Error
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("not an error body: %s", b)
	}
	return e.Type
}

func TestNextHeadersAndResponse(t *testing.T) {
	e, base := start(t, emulator.Config{FunctionName: "fn", Timeout: 5 * time.Second})
	ch := invokeAsync(e, `{"k":"v"}`, emulator.InvokeOptions{ClientContext: `{"c":1}`, CognitoIdentity: `{"i":2}`, TenantID: "t1"})
	resp, body := next(t, base)
	if resp.StatusCode != 200 || string(body) != `{"k":"v"}` {
		t.Fatalf("next: %d %s", resp.StatusCode, body)
	}
	h := resp.Header
	id := h.Get(api.HeaderRequestID)
	dl, err := strconv.ParseInt(h.Get(api.HeaderDeadlineMs), 10, 64)
	if id == "" || err != nil {
		t.Fatalf("headers: %v", h)
	}
	if left := time.Until(time.UnixMilli(dl)); left < 4*time.Second || left > 5*time.Second {
		t.Errorf("deadline %v from now, want the 5 s timeout", left)
	}
	if h.Get(api.HeaderFunctionARN) != "arn:aws:lambda:us-east-1:000000000000:function:fn" ||
		!strings.HasPrefix(h.Get(api.HeaderTraceID), "Root=1-") ||
		h.Get(api.HeaderClientContext) != `{"c":1}` || h.Get(api.HeaderCognitoIdentity) != `{"i":2}` ||
		h.Get(api.HeaderTenantID) != "t1" {
		t.Errorf("headers: %v", h)
	}
	code, b := post(t, base+api.ResponsePath(id), "text/plain", []byte("pong"), nil)
	if code != 202 || !strings.Contains(string(b), `"OK"`) {
		t.Fatalf("response post: %d %s", code, b)
	}
	r := <-ch
	if r.err != nil || r.res.Outcome != emulator.OutcomeResponse || string(r.res.Body) != "pong" || r.res.ContentType != "text/plain" {
		t.Fatalf("result: %+v %v", r.res, r.err)
	}
	// A second post for the same invocation: 403 InvalidStateTransition.
	code, b = post(t, base+api.ResponsePath(id), "text/plain", []byte("again"), nil)
	if code != 403 || errType(t, b) != "InvalidStateTransition" {
		t.Fatalf("second post: %d %s", code, b)
	}
	// An id never handed out: 400 InvalidRequestID.
	code, b = post(t, base+api.ErrorPath("no-such-id"), api.ContentTypeError, []byte("{}"), nil)
	if code != 400 || errType(t, b) != "InvalidRequestID" {
		t.Fatalf("unknown id: %d %s", code, b)
	}
	if err := ledger(e).CheckExactlyOnce(nil); err != nil {
		t.Fatal(err)
	}
}

func TestErrorPostUsesTheTypeHeader(t *testing.T) {
	e, base := start(t, emulator.Config{})
	ch := invokeAsync(e, `{}`, emulator.InvokeOptions{})
	resp, _ := next(t, base)
	id := resp.Header.Get(api.HeaderRequestID)
	body := api.NewError("MyError", "bad thing").JSON()
	code, _ := post(t, base+api.ErrorPath(id), api.ContentTypeError, body, map[string]string{api.HeaderErrorType: "Function.MyError"})
	if code != 202 {
		t.Fatalf("error post: %d", code)
	}
	r := <-ch
	if r.res.Outcome != emulator.OutcomeError || r.res.ErrorType != "Function.MyError" || !bytes.Equal(r.res.Body, body) {
		t.Fatalf("result: %+v", r.res)
	}
}

// A response over Lambda's 6,291,556 bytes ends the invocation at once
// with Function.ResponseSizeTooLarge, and the runtime gets a 413 with an
// error body, as from RIE; one of exactly that size is a response.
func TestOversizeResponseEndsTheInvocation(t *testing.T) {
	e, base := start(t, emulator.Config{})
	ch := invokeAsync(e, `{}`, emulator.InvokeOptions{})
	resp, _ := next(t, base)
	id := resp.Header.Get(api.HeaderRequestID)
	code, b := post(t, base+api.ResponsePath(id), "application/json", make([]byte, api.MaxResponse+1), nil)
	if code != 413 || errType(t, b) != "RequestEntityTooLarge" || !strings.Contains(string(b), "6291556 bytes") {
		t.Fatalf("oversize: %d %s", code, b)
	}
	r := <-ch
	if r.res.ErrorType != api.ErrTypeResponseTooBig || !strings.Contains(string(r.res.Body), "Response payload size (6291557 bytes) exceeded maximum allowed payload size (6291556 bytes).") {
		t.Fatalf("result: %+v %s", r.res, r.res.Body)
	}
	// The runtime's own error post comes too late.
	code, _ = post(t, base+api.ErrorPath(id), api.ContentTypeError, api.ResponseTooLarge(api.MaxResponse+1).JSON(), map[string]string{api.HeaderErrorType: api.ErrTypeResponseTooBig})
	if code != 403 {
		t.Fatalf("error after 413: %d, want 403", code)
	}
	if err := ledger(e).CheckExactlyOnce(nil); err != nil {
		t.Fatalf("an oversized response is answered by the platform: %v", err)
	}

	ch = invokeAsync(e, `{}`, emulator.InvokeOptions{})
	resp, _ = next(t, base)
	id = resp.Header.Get(api.HeaderRequestID)
	if code, b := post(t, base+api.ResponsePath(id), "application/json", make([]byte, api.MaxResponse), nil); code != 202 {
		t.Fatalf("6,291,556 bytes: %d %s", code, b)
	}
	if r := <-ch; r.res.Failed() || len(r.res.Body) != api.MaxResponse {
		t.Fatalf("6,291,556 bytes: %s %d bytes", r.res.Outcome, len(r.res.Body))
	}
	if _, err := e.Invoke(context.Background(), make([]byte, api.MaxPayload+1), emulator.InvokeOptions{}); err != emulator.ErrPayloadTooLarge {
		t.Fatalf("oversize event: %v", err)
	}
}

// Without an observer (serve) an ended invocation leaves only its id:
// late posts are refused 403 all the same.
func TestLatePostWithoutObserver(t *testing.T) {
	e := emulator.New(emulator.Config{})
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	ch := invokeAsync(e, `{}`, emulator.InvokeOptions{})
	resp, _ := next(t, srv.URL)
	id := resp.Header.Get(api.HeaderRequestID)
	if code, _ := post(t, srv.URL+api.ResponsePath(id), "application/json", []byte(`1`), nil); code != 202 {
		t.Fatalf("response: %d", code)
	}
	<-ch
	if code, _ := post(t, srv.URL+api.ResponsePath(id), "application/json", []byte(`2`), nil); code != 403 {
		t.Fatalf("second response: %d, want 403", code)
	}
}

// One invocation at a time per runtime: a second /next waits until the
// first invocation ends, unless MaxConcurrency (Managed Instances) allows more.
func TestOneInvocationAtATime(t *testing.T) {
	for _, mc := range []int{1, 2} {
		e, base := start(t, emulator.Config{MaxConcurrency: mc})
		ch1 := invokeAsync(e, `1`, emulator.InvokeOptions{})
		ch2 := invokeAsync(e, `2`, emulator.InvokeOptions{})
		resp, _ := next(t, base)
		first := resp.Header.Get(api.HeaderRequestID)
		second := make(chan string, 1)
		go func() {
			resp, _ := next(t, base)
			second <- resp.Header.Get(api.HeaderRequestID)
		}()
		select {
		case id := <-second:
			if mc == 1 {
				t.Fatalf("MaxConcurrency 1: a second /next got %s while %s was open", id, first)
			}
			post(t, base+api.ResponsePath(id), "application/json", []byte(`{}`), nil)
		case <-time.After(300 * time.Millisecond):
			if mc > 1 {
				t.Fatalf("MaxConcurrency %d: the second /next waited", mc)
			}
		}
		post(t, base+api.ResponsePath(first), "application/json", []byte(`{}`), nil)
		if mc == 1 {
			id := <-second
			post(t, base+api.ResponsePath(id), "application/json", []byte(`{}`), nil)
		}
		<-ch1
		<-ch2
		if err := ledger(e).CheckExactlyOnce(nil); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTimeoutWithoutAnswer(t *testing.T) {
	timedOut := make(chan string, 1)
	e, base := start(t, emulator.Config{Timeout: time.Second, OnTimeout: func(id string) { timedOut <- id }})
	ch := invokeAsync(e, `{}`, emulator.InvokeOptions{})
	resp, _ := next(t, base)
	id := resp.Header.Get(api.HeaderRequestID)
	r := <-ch
	if r.res.Outcome != emulator.OutcomeTimeout || r.res.ErrorType != api.ErrTypeTimeout || !strings.Contains(string(r.res.Body), "Task timed out after 1.00 seconds") {
		t.Fatalf("result: %+v %s", r.res, r.res.Body)
	}
	if got := <-timedOut; got != id {
		t.Fatalf("OnTimeout(%s), want %s", got, id)
	}
	if code, _ := post(t, base+api.ResponsePath(id), "application/json", []byte("late"), nil); code != 403 {
		t.Fatalf("late post: %d, want 403", code)
	}
	if err := ledger(e).CheckExactlyOnce(nil); err == nil {
		t.Fatal("an unanswered timeout must fail the exactly-once check")
	}
	if err := ledger(e).CheckExactlyOnce(map[string]bool{id: true}); err != nil {
		t.Fatal(err)
	}
}

func TestStreamedResponseWithErrorTrailer(t *testing.T) {
	e, base := start(t, emulator.Config{})
	var got bytes.Buffer
	ch := invokeAsync(e, `{}`, emulator.InvokeOptions{Stream: &got})
	resp, _ := next(t, base)
	id := resp.Header.Get(api.HeaderRequestID)
	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, base+api.ResponsePath(id), pr)
	req.Header.Set(api.HeaderResponseMode, api.ResponseModeStream)
	req.Header.Set("Content-Type", "text/plain")
	req.Trailer = http.Header{api.HeaderErrorType: nil, api.HeaderErrorBody: nil}
	go func() {
		pw.Write([]byte("part1 "))
		pw.Write([]byte("part2"))
		req.Trailer.Set(api.HeaderErrorType, "Function.Broke")
		req.Trailer.Set(api.HeaderErrorBody, base64.StdEncoding.EncodeToString(api.NewError("Function.Broke", "midway").JSON()))
		pw.Close()
	}()
	presp, err := http.DefaultClient.Do(req)
	if err != nil || presp.StatusCode != 202 {
		t.Fatalf("stream post: %v %v", presp, err)
	}
	r := <-ch
	if got.String() != "part1 part2" || !r.res.Streamed || r.res.ErrorType != "Function.Broke" || !strings.Contains(string(r.res.Body), "midway") {
		t.Fatalf("streamed: %q %+v %s", got.String(), r.res, r.res.Body)
	}
}

func TestInitErrorIsAccepted(t *testing.T) {
	e, base := start(t, emulator.Config{})
	code, _ := post(t, base+api.PathInitError, api.ContentTypeError, api.NewError("Runtime.X", "no").JSON(), map[string]string{api.HeaderErrorType: "Runtime.X"})
	if code != 202 {
		t.Fatalf("init error: %d", code)
	}
	if ie := e.InitError(); ie == nil || ie.Type != "Runtime.X" || ie.Message != "no" {
		t.Fatalf("init error recorded as %+v", ie)
	}
}

func TestTimeoutFromEnv(t *testing.T) {
	env := func(v string) func(string) string { return func(string) string { return v } }
	if d, _ := emulator.TimeoutFromEnv(env("")); d != 3*time.Second {
		t.Errorf("default %v", d)
	}
	if d, _ := emulator.TimeoutFromEnv(env("15")); d != 15*time.Second {
		t.Errorf("15 → %v", d)
	}
	for _, bad := range []string{"0", "901", "1.5", "x"} {
		if _, err := emulator.TimeoutFromEnv(env(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// An observer changes no answer: with a ledger kept, as without one, the
// emulator remembers the last 4096 ended ids, and a post for one older
// than that is 400 InvalidRequestID, as for an id never handed out.
func TestObserverChangesNoAnswer(t *testing.T) {
	for _, observed := range []bool{false, true} {
		var e *emulator.Emulator
		var base string
		if observed {
			e, base = start(t, emulator.Config{})
		} else {
			e = emulator.New(emulator.Config{})
			srv := httptest.NewServer(e.Handler())
			t.Cleanup(srv.Close)
			base = srv.URL
		}
		var first string
		for i := range 4097 {
			ch := invokeAsync(e, `{}`, emulator.InvokeOptions{})
			resp, _ := next(t, base)
			id := resp.Header.Get(api.HeaderRequestID)
			if i == 0 {
				first = id
			}
			if code, _ := post(t, base+api.ResponsePath(id), "application/json", []byte(`1`), nil); code != 202 {
				t.Fatalf("response %d: %d", i, code)
			}
			<-ch
		}
		if code, b := post(t, base+api.ResponsePath(first), "application/json", []byte(`2`), nil); code != 400 || errType(t, b) != emulator.ErrTypeInvalidRequestID {
			t.Fatalf("observed=%v: late post for a forgotten id: %d %s, want 400 InvalidRequestID", observed, code, b)
		}
		if observed {
			if err := ledger(e).CheckExactlyOnce(nil); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// Cross-wiring protection: each /next carries a fresh invocation id; in
// Managed Instances mode a timed-out invocation is failed while its
// runtime runs on, and when its request id is reused, a late post echoing
// the old invocation id is answered 410 and the new invocation keeps its
// own answer. A post without the header is taken as before.
func TestInvocationIDRefusesALateAnswer(t *testing.T) {
	resets := 0
	var gone atomic.Int32
	e, base := start(t, emulator.Config{Timeout: 300 * time.Millisecond, MaxConcurrency: 2, OnTimeout: func(string) { resets++ },
		Observe: func(ev emulator.Event) {
			if ev.Kind == emulator.EventGone {
				gone.Add(1)
			}
		}})
	a := invokeAsync(e, `"A"`, emulator.InvokeOptions{RequestID: "reused"})
	respA, _ := next(t, base)
	nonceA := respA.Header.Get(api.HeaderInvocationID)
	if respA.Header.Get(api.HeaderRequestID) != "reused" || nonceA == "" {
		t.Fatalf("A's /next headers: %v", respA.Header)
	}
	if _, err := e.Invoke(context.Background(), []byte(`"dup"`), emulator.InvokeOptions{RequestID: "reused"}); err != emulator.ErrRequestIDInUse {
		t.Fatalf("a second invocation with a running one's id: %v", err)
	}
	if r := <-a; r.err != nil || r.res.Outcome != emulator.OutcomeTimeout {
		t.Fatalf("A: %+v %v", r.res, r.err)
	}
	if resets != 0 {
		t.Fatalf("Managed Instances mode reset the environment on a timeout")
	}
	b := invokeAsync(e, `"B"`, emulator.InvokeOptions{RequestID: "reused"})
	respB, _ := next(t, base)
	nonceB := respB.Header.Get(api.HeaderInvocationID)
	if respB.Header.Get(api.HeaderRequestID) != "reused" || nonceB == "" || nonceB == nonceA {
		t.Fatalf("B's invocation id %q (A's %q)", nonceB, nonceA)
	}
	for _, path := range []string{api.ResponsePath("reused"), api.ErrorPath("reused")} {
		code, body := post(t, base+path, "application/json", []byte(`"A's late answer"`), map[string]string{api.HeaderInvocationID: nonceA})
		if code != api.StatusGone || errType(t, body) != emulator.ErrTypeInvokeTimeout {
			t.Fatalf("A's late post to %s: %d %s", path, code, body)
		}
	}
	if code, body := post(t, base+api.ResponsePath("reused"), "application/json", []byte(`"B's answer"`), map[string]string{api.HeaderInvocationID: nonceB}); code != 202 {
		t.Fatalf("B's post: %d %s", code, body)
	}
	if r := <-b; r.err != nil || string(r.res.Body) != `"B's answer"` {
		t.Fatalf("B: %+v %v", r.res, r.err)
	}
	if n := gone.Load(); n != 2 {
		t.Fatalf("%d posts told as EventGone, want 2", n)
	}

	// Without the header (a runtime that does not echo it) the post is taken.
	c := invokeAsync(e, `"C"`, emulator.InvokeOptions{})
	respC, _ := next(t, base)
	if code, _ := post(t, base+api.ResponsePath(respC.Header.Get(api.HeaderRequestID)), "application/json", []byte(`"C"`), nil); code != 202 {
		t.Fatalf("a post without the header: %d", code)
	}
	<-c
	// A timed out unanswered (allowed); B and C got exactly one post each.
	if err := ledger(e).CheckExactlyOnce(map[string]bool{"reused": true}); err != nil {
		t.Fatal(err)
	}
}

// Outside Managed Instances mode a timeout still resets the environment.
func TestTimeoutResetsOnDemand(t *testing.T) {
	resets := 0
	e, base := start(t, emulator.Config{Timeout: 100 * time.Millisecond, OnTimeout: func(string) { resets++ }})
	a := invokeAsync(e, `{}`, emulator.InvokeOptions{})
	next(t, base)
	<-a
	if resets != 1 {
		t.Fatalf("%d resets, want 1", resets)
	}
}
