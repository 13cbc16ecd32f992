package bootstrap

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
)

// The loop's handling of Runtime API answers, in process: bootstrap.Run with
// a fake mode against a scripted Runtime API (httptest). The end-to-end
// tests cover the same paths through the real binary and the emulator; these
// pin each rule to one small scenario.

// fakeMode answers every invocation with body.
type fakeMode struct{ body []byte }

func (f *fakeMode) Init(context.Context) error { return nil }
func (f *fakeMode) Invoke(context.Context, *api.Invocation) modes.Response {
	return modes.Response{Body: f.body, ContentType: "application/json"}
}
func (f *fakeMode) Shutdown(context.Context) error { return nil }

const fakeName modes.Name = "fake-for-test"

var fake = &fakeMode{}

func init() {
	modes.Register(fakeName, func(modes.Config) (modes.Mode, error) { return fake, nil })
}

// scriptedAPI is a Runtime API whose answers the test chooses.
type scriptedAPI struct {
	t *testing.T
	// dropNext: this many GET /next requests get their connection closed
	// without an answer (the API unreachable for a moment).
	dropNext int
	// responseStatus answers POST .../response (0: 202).
	responseStatus int

	mu     sync.Mutex
	served int      // invocations handed out
	posts  []string // "response" or "error:<type>", in order
	nexts  int      // GET /next attempts, dropped ones included
	done   chan struct{}
}

func (s *scriptedAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == "GET" && r.URL.Path == api.PathNext:
		s.nexts++
		if s.dropNext > 0 {
			s.dropNext--
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		if s.served == 1 {
			// One invocation per scenario; then hold the loop until the
			// test cancels it, as Lambda freezes an idle environment.
			s.mu.Unlock()
			<-r.Context().Done()
			s.mu.Lock()
			return
		}
		s.served++
		w.Header().Set(api.HeaderRequestID, "req-1")
		w.Header().Set(api.HeaderDeadlineMs, "99999999999999")
		w.Write([]byte(`{}`))
	case r.Method == "POST" && r.URL.Path == api.ResponsePath("req-1"):
		io.Copy(io.Discard, r.Body)
		s.posts = append(s.posts, "response")
		if s.responseStatus != 0 {
			w.WriteHeader(s.responseStatus)
			w.Write([]byte(`{"errorMessage":"refused by the test","errorType":"Test"}`))
			if s.responseStatus >= 500 {
				close(s.done)
			}
			return
		}
		w.WriteHeader(http.StatusAccepted)
		close(s.done)
	case r.Method == "POST" && r.URL.Path == api.ErrorPath("req-1"):
		var e api.Error
		if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
			s.t.Errorf("error post: %v", err)
		}
		s.posts = append(s.posts, "error:"+e.Type)
		w.WriteHeader(http.StatusAccepted)
		close(s.done)
	default:
		s.t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		w.WriteHeader(http.StatusNotFound)
	}
}

// runAgainst runs the bootstrap against s until s sees the scenario's last
// post, then cancels it (SIGTERM) and returns the exit code.
func runAgainst(t *testing.T, s *scriptedAPI) int {
	t.Helper()
	s.t, s.done = t, make(chan struct{})
	srv := httptest.NewServer(s)
	defer srv.Close()
	env := map[string]string{
		"AWS_LAMBDA_RUNTIME_API": strings.TrimPrefix(srv.URL, "http://"),
		ModeEnv:                  string(fakeName),
		"LAMBDA_TASK_ROOT":       t.TempDir(),
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := make(chan int, 1)
	go func() { code <- Run(ctx, []string{"fn"}, func(k string) string { return env[k] }, slog.New(slog.DiscardHandler)) }()
	select {
	case <-s.done:
	case c := <-code:
		return c // exited on its own (a fatal answer)
	case <-time.After(10 * time.Second):
		t.Fatal("the scenario did not finish")
	}
	select {
	case c := <-code:
		return c
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	select {
	case c := <-code:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
		return -1
	}
}

func TestLoopRetriesUnreachableAPI(t *testing.T) {
	fake.body = []byte(`"ok"`)
	s := &scriptedAPI{dropNext: 3}
	if code := runAgainst(t, s); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	if s.nexts < 4 || len(s.posts) != 1 || s.posts[0] != "response" {
		t.Errorf("nexts=%d posts=%v: want 3 dropped GET /next retried, then one response", s.nexts, s.posts)
	}
}

func TestLoopGivesUpWhenAPIStaysUnreachable(t *testing.T) {
	fake.body = []byte(`"ok"`)
	s := &scriptedAPI{dropNext: len(nextBackoff) + 1}
	if code := runAgainst(t, s); code != 1 {
		t.Errorf("exit %d, want 1 after %d failed attempts", code, len(nextBackoff)+1)
	}
	if s.nexts != len(nextBackoff)+1 || len(s.posts) != 0 {
		t.Errorf("nexts=%d posts=%v", s.nexts, s.posts)
	}
}

// A response the API refuses with 413 is not dropped: the loop posts
// Function.ResponseSizeTooLarge to /error, so the caller learns why.
func TestLoopReports413AsError(t *testing.T) {
	fake.body = []byte(`"ok"`)
	s := &scriptedAPI{responseStatus: http.StatusRequestEntityTooLarge}
	if code := runAgainst(t, s); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	want := []string{"response", "error:" + api.ErrTypeResponseTooBig}
	if strings.Join(s.posts, ",") != strings.Join(want, ",") {
		t.Errorf("posts %v, want %v", s.posts, want)
	}
}

// Another 4xx refusal is reported as Runtime.ResponseRefused.
func TestLoopReportsOtherRefusalAsError(t *testing.T) {
	fake.body = []byte(`"ok"`)
	s := &scriptedAPI{responseStatus: http.StatusBadRequest}
	runAgainst(t, s)
	want := []string{"response", "error:" + api.ErrTypeAPIRefused}
	if strings.Join(s.posts, ",") != strings.Join(want, ",") {
		t.Errorf("posts %v, want %v", s.posts, want)
	}
}

// "Container error. Non-recoverable state. Runtime should exit promptly."
// (Runtime API spec): a 5xx answer to a post ends the runtime with exit 1.
func TestLoopExitsOn5xx(t *testing.T) {
	fake.body = []byte(`"ok"`)
	s := &scriptedAPI{responseStatus: http.StatusInternalServerError}
	if code := runAgainst(t, s); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if len(s.posts) != 1 {
		t.Errorf("posts %v: want the one response, no error post after a 5xx", s.posts)
	}
}

// A body over Lambda's limit is never sent: the loop posts the size error.
func TestLoopRefusesOversizedBody(t *testing.T) {
	fake.body = make([]byte, api.MaxResponse+1)
	defer func() { fake.body = nil }()
	s := &scriptedAPI{}
	runAgainst(t, s)
	if len(s.posts) != 1 || s.posts[0] != "error:"+api.ErrTypeResponseTooBig {
		t.Errorf("posts %v", s.posts)
	}
}
