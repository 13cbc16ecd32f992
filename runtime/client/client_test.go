package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/client"
)

// rig is the real emulator served on 127.0.0.1, with a recorder of the
// headers the runtime sent on error posts and a count of connections.
type rig struct {
	emu   *emulator.Emulator
	srv   *httptest.Server
	conns atomic.Int32

	mu      sync.Mutex
	headers []http.Header // of every POST, in order
}

func newRig(t testing.TB) *rig {
	t.Helper()
	r := &rig{emu: emulator.New(emulator.Config{Timeout: 30 * time.Second})}
	h := r.emu.Handler()
	r.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodPost {
			r.mu.Lock()
			r.headers = append(r.headers, req.Header.Clone())
			r.mu.Unlock()
		}
		h.ServeHTTP(w, req)
	}))
	r.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			r.conns.Add(1)
		}
	}
	r.srv.Start()
	t.Cleanup(r.srv.Close)
	return r
}

func (r *rig) addr() string { return strings.TrimPrefix(r.srv.URL, "http://") }

func (r *rig) lastHeader() http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.headers[len(r.headers)-1]
}

// invoke queues one event; the result arrives on the channel.
func (r *rig) invoke(t testing.TB, payload string, opts emulator.InvokeOptions) <-chan *emulator.Result {
	ch := make(chan *emulator.Result, 1)
	go func() {
		res, err := r.emu.Invoke(context.Background(), []byte(payload), opts)
		if err != nil {
			t.Errorf("invoke: %v", err)
		}
		ch <- res
	}()
	return ch
}

func wait(t testing.TB, ch <-chan *emulator.Result) *emulator.Result {
	t.Helper()
	select {
	case res := <-ch:
		if res == nil {
			t.Fatal("no result")
		}
		return res
	case <-time.After(20 * time.Second):
		t.Fatal("no result within 20s")
		return nil
	}
}

func TestNextRespondFailAgainstEmulator(t *testing.T) {
	r := newRig(t)
	c := client.New(r.addr())
	ctx := context.Background()

	res := r.invoke(t, `{"n":1}`, emulator.InvokeOptions{ClientContext: `{"custom":{"k":"v"}}`, TenantID: "tenant-7", TraceID: "Root=1-abc"})
	inv, err := c.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(inv.Payload) != `{"n":1}` || inv.RequestID == "" || inv.FunctionARN != r.emu.FunctionARN() ||
		inv.ClientContext != `{"custom":{"k":"v"}}` || inv.TenantID != "tenant-7" || inv.TraceID != "Root=1-abc" {
		t.Fatalf("invocation: %+v", inv)
	}
	if d := time.Until(time.UnixMilli(inv.DeadlineMs)); d < 25*time.Second || d > 31*time.Second {
		t.Fatalf("deadline %v from now, want about the 30s timeout", d)
	}
	if err := c.Respond(ctx, inv, []byte("plain answer"), "text/plain"); err != nil {
		t.Fatal(err)
	}
	got := wait(t, res)
	if inv.InvocationID == "" || r.lastHeader().Get(api.HeaderInvocationID) != inv.InvocationID {
		t.Fatalf("response echoed invocation id %q, /next gave %q", r.lastHeader().Get(api.HeaderInvocationID), inv.InvocationID)
	}
	if got.Outcome != emulator.OutcomeResponse || string(got.Body) != "plain answer" || got.ContentType != "text/plain" {
		t.Fatalf("response result: %+v", got)
	}
	// A second post for the same invocation is refused, as Lambda does.
	var se *client.StatusError
	if err := c.Respond(ctx, inv, []byte("again"), ""); !errors.As(err, &se) || se.Status != 403 {
		t.Fatalf("second response: %v, want a 403 StatusError", err)
	}

	// Fail: the error type travels in the header, not only in the body.
	res = r.invoke(t, `{}`, emulator.InvokeOptions{})
	if inv, err = c.Next(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Fail(ctx, inv, api.NewError("Function.Custom", "it broke")); err != nil {
		t.Fatal(err)
	}
	got = wait(t, res)
	h := r.lastHeader()
	if inv.InvocationID == "" || h.Get(api.HeaderInvocationID) != inv.InvocationID {
		t.Fatalf("error post echoed invocation id %q, /next gave %q", h.Get(api.HeaderInvocationID), inv.InvocationID)
	}
	if got.Outcome != emulator.OutcomeError || got.ErrorType != "Function.Custom" ||
		h.Get(api.HeaderErrorType) != "Function.Custom" || h.Get("Content-Type") != api.ContentTypeError {
		t.Fatalf("error result %+v, header %v", got, h)
	}
	var body api.Error
	if err := json.Unmarshal(got.Body, &body); err != nil || body.Message != "it broke" {
		t.Fatalf("error body %q: %v", got.Body, err)
	}

	// An error type that cannot be a header value is left to the body.
	res = r.invoke(t, `{}`, emulator.InvokeOptions{})
	if inv, err = c.Next(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Fail(ctx, inv, api.NewError("Bad\r\nX-Injected: 1", "x")); err != nil {
		t.Fatal(err)
	}
	got = wait(t, res)
	if h := r.lastHeader(); h.Get("X-Injected") != "" || h.Get(api.HeaderErrorType) != "" || got.ErrorType != "Bad\r\nX-Injected: 1" {
		t.Fatalf("unsafe error type: result %+v, header %v", got, h)
	}

	// Everything above, the 403 included, went over one kept-alive connection.
	if n := r.conns.Load(); n != 1 {
		t.Fatalf("the loop opened %d connections, want 1", n)
	}
}

func TestInitError(t *testing.T) {
	r := newRig(t)
	c := client.New(r.addr())
	if err := c.InitError(context.Background(), api.NewError(api.ErrTypeInvalidHandler, "no such file: /var/task/fn")); err != nil {
		t.Fatal(err)
	}
	e := r.emu.InitError()
	if e == nil || e.Type != api.ErrTypeInvalidHandler || e.Message != "no such file: /var/task/fn" {
		t.Fatalf("emulator recorded init error %+v", e)
	}
	if got := r.lastHeader().Get(api.HeaderErrorType); got != api.ErrTypeInvalidHandler {
		t.Fatalf("error type header %q", got)
	}
}

// chunkWriter records each Write the emulator forwards from a stream.
type chunkWriter struct {
	mu     sync.Mutex
	chunks []string
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.chunks = append(w.chunks, string(p))
	w.mu.Unlock()
	return len(p), nil
}

func (w *chunkWriter) joined() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.chunks, "")
}

// stepReader yields one part per Read, waiting before each part after the
// first until the previous one has reached the emulator: a stream that
// were buffered in the client would never get there.
type stepReader struct {
	parts []string
	seen  func() string
	sent  string
	err   error
}

func (s *stepReader) Read(p []byte) (int, error) {
	if s.sent != "" {
		deadline := time.Now().Add(10 * time.Second)
		for s.seen() != s.sent {
			if time.Now().After(deadline) {
				return 0, errors.New("the previous chunk never reached the emulator")
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	if len(s.parts) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		return 0, io.EOF
	}
	n := copy(p, s.parts[0])
	s.sent += s.parts[0]
	s.parts = s.parts[1:]
	return n, nil
}

func TestRespondStream(t *testing.T) {
	r := newRig(t)
	c := client.New(r.addr())
	ctx := context.Background()

	// Chunks arrive as they are produced, then the response completes.
	w := &chunkWriter{}
	res := r.invoke(t, `{}`, emulator.InvokeOptions{Stream: w})
	inv, err := c.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RespondStream(ctx, inv, "text/event-stream", &stepReader{parts: []string{"data: 1\n\n", "data: 2\n\n"}, seen: w.joined}); err != nil {
		t.Fatal(err)
	}
	got := wait(t, res)
	if inv.InvocationID == "" || r.lastHeader().Get(api.HeaderInvocationID) != inv.InvocationID {
		t.Fatalf("streamed response echoed invocation id %q, /next gave %q", r.lastHeader().Get(api.HeaderInvocationID), inv.InvocationID)
	}
	if got.Outcome != emulator.OutcomeResponse || !got.Streamed || w.joined() != "data: 1\n\ndata: 2\n\n" ||
		r.lastHeader().Get(api.HeaderResponseMode) != api.ResponseModeStream || got.ContentType != "text/event-stream" {
		t.Fatalf("stream result %+v, chunks %q", got, w.chunks)
	}

	// An error mid-stream ends it with the error in the trailers.
	w = &chunkWriter{}
	res = r.invoke(t, `{}`, emulator.InvokeOptions{Stream: w})
	if inv, err = c.Next(ctx); err != nil {
		t.Fatal(err)
	}
	sr := &stepReader{parts: []string{"partial "}, seen: w.joined, err: api.NewError("Function.StreamBroke", "disk on fire")}
	if err := c.RespondStream(ctx, inv, "", sr); err != nil {
		t.Fatal(err)
	}
	got = wait(t, res)
	var body api.Error
	_ = json.Unmarshal(got.Body, &body)
	if got.Outcome != emulator.OutcomeError || got.ErrorType != "Function.StreamBroke" || body.Message != "disk on fire" || w.joined() != "partial " {
		t.Fatalf("stream error result %+v (body %q), chunks %q", got, got.Body, w.chunks)
	}
	if n := r.conns.Load(); n != 1 {
		t.Fatalf("opened %d connections, want 1", n)
	}
}

func TestResponseTooLargeIs413(t *testing.T) {
	r := newRig(t)
	c := client.New(r.addr())
	ctx := context.Background()
	res := r.invoke(t, `{}`, emulator.InvokeOptions{})
	inv, err := c.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("x"), api.MaxResponse+1)
	var se *client.StatusError
	if err := c.Respond(ctx, inv, big, ""); !errors.As(err, &se) || se.Status != 413 || !strings.Contains(se.Body, "RequestEntityTooLarge") {
		t.Fatalf("6,291,557-byte response: %v, want a 413 StatusError", err)
	}
	// The invocation ended with the 413, as in RIE: a later error post is
	// refused (the refused connection is replaced transparently).
	if got := wait(t, res); got.ErrorType != api.ErrTypeResponseTooBig {
		t.Fatalf("result %+v", got)
	}
	if err := c.Fail(ctx, inv, api.ResponseTooLarge(int64(len(big)))); !errors.As(err, &se) || se.Status != 403 {
		t.Fatalf("error post after the 413: %v, want 403", err)
	}
	// Exactly 6,291,556 bytes is accepted.
	res = r.invoke(t, `{}`, emulator.InvokeOptions{})
	if inv, err = c.Next(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Respond(ctx, inv, big[:api.MaxResponse], ""); err != nil {
		t.Fatal(err)
	}
	if got := wait(t, res); got.Outcome != emulator.OutcomeResponse || len(got.Body) != api.MaxResponse {
		t.Fatalf("6 MB response: outcome %s, %d bytes", got.Outcome, len(got.Body))
	}
}

func TestUnreachableIsConnError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := client.New(addr)
	var ce *client.ConnError
	if _, err := c.Next(context.Background()); !errors.As(err, &ce) {
		t.Fatalf("Next: %v, want *ConnError", err)
	}
	if err := c.Respond(context.Background(), &api.Invocation{RequestID: "id"}, []byte("x"), ""); !errors.As(err, &ce) {
		t.Fatalf("Respond: %v, want *ConnError", err)
	}
	// Cancelling a long-poll is not a connection failure.
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := client.New(r.addr()).Next(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Next: %v", err)
	}
}

// A Runtime API that sends no Lambda-Runtime-Invocation-Id (Lambda before
// 2026-07; a stand-in handler, since the emulator always sends one) gets
// none back; one that cannot be a header value is not echoed either.
func TestInvocationIDEchoedOnlyWhenSent(t *testing.T) {
	for _, sent := range []string{"", "has a space"} {
		var mu sync.Mutex
		var echoed []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				w.Header().Set(api.HeaderRequestID, "req-1")
				if sent != "" {
					w.Header()[api.HeaderInvocationID] = []string{sent}
				}
				io.WriteString(w, "{}")
				return
			}
			mu.Lock()
			echoed = append(echoed, r.Header.Values(api.HeaderInvocationID)...)
			mu.Unlock()
			w.WriteHeader(http.StatusAccepted)
		}))
		c := client.New(strings.TrimPrefix(srv.URL, "http://"))
		ctx := context.Background()
		inv, err := c.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if inv.InvocationID != "" || inv.MalformedInvocationID != sent {
			t.Fatalf("sent %q: parsed %q, malformed %q", sent, inv.InvocationID, inv.MalformedInvocationID)
		}
		if err := c.Respond(ctx, inv, []byte("{}"), ""); err != nil {
			t.Fatal(err)
		}
		if err := c.Fail(ctx, inv, api.NewError("X", "y")); err != nil {
			t.Fatal(err)
		}
		if err := c.RespondStream(ctx, inv, "", strings.NewReader("z")); err != nil {
			t.Fatal(err)
		}
		srv.Close()
		if len(echoed) != 0 {
			t.Fatalf("sent %q: echoed %q", sent, echoed)
		}
	}
}

// A 410 (the invocation is gone) is a StatusError that says so, not a
// connection failure.
func TestGoneIsAStatus(t *testing.T) {
	r := newRig(t)
	c := client.New(r.addr())
	ctx := context.Background()
	res := r.invoke(t, `{}`, emulator.InvokeOptions{RequestID: "reused-id"})
	inv, err := c.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stale := *inv
	stale.InvocationID = "an-earlier-invocation"
	var se *client.StatusError
	if err := c.Respond(ctx, &stale, []byte("late"), ""); !errors.As(err, &se) || !se.Gone() {
		t.Fatalf("late answer: %v, want a 410 StatusError", err)
	}
	if err := c.Respond(ctx, inv, []byte("mine"), ""); err != nil {
		t.Fatal(err)
	}
	if got := wait(t, res); string(got.Body) != "mine" || got.RequestID != "reused-id" {
		t.Fatalf("result %+v", got)
	}
}
