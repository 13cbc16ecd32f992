package h1

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// server is a real net/http server on 127.0.0.1 that counts the TCP
// connections clients open to it.
type server struct {
	*httptest.Server
	conns atomic.Int32
}

func newServer(t *testing.T, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewUnstartedServer(h)
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *server) client() *Client {
	return &Client{Addr: strings.TrimPrefix(s.URL, "http://")}
}

func do(t *testing.T, c *Client, req *Request) (*Response, []byte) {
	t.Helper()
	resp, err := c.Do(context.Background(), req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.Path, err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", req.Method, req.Path, err)
	}
	resp.Body.Close()
	return resp, b
}

func TestKeepAliveReusesOneConnection(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Method", r.Method)
		w.Write(append([]byte(r.URL.RequestURI()+" "), b...))
	})
	c := s.client()
	for i := 0; i < 20; i++ {
		req := &Request{Method: "GET", Path: "/get?i=1"}
		if i%2 == 1 {
			body := "payload"
			req = &Request{Method: "POST", Path: "/post", Body: strings.NewReader(body), ContentLength: int64(len(body)),
				Header: textproto.MIMEHeader{"Content-Type": {"text/plain"}}}
		}
		resp, b := do(t, c, req)
		want := "/get?i=1 "
		if req.Method == "POST" {
			want = "/post payload"
		}
		if resp.StatusCode != 200 || resp.Status != "200 OK" || string(b) != want || resp.Header.Get("X-Method") != req.Method {
			t.Fatalf("request %d: got %d %q %q", i, resp.StatusCode, resp.Status, b)
		}
	}
	if n := s.conns.Load(); n != 1 {
		t.Fatalf("20 sequential requests opened %d connections, want 1", n)
	}
}

func TestConnectionCloseHonoured(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/close" {
			w.Header().Set("Connection", "close")
		}
		io.WriteString(w, "ok")
	})
	c := s.client()
	do(t, c, &Request{Method: "GET", Path: "/close"}) // server says close
	do(t, c, &Request{Method: "GET", Path: "/", Header: textproto.MIMEHeader{"Connection": {"close"}}})
	do(t, c, &Request{Method: "GET", Path: "/"})
	do(t, c, &Request{Method: "GET", Path: "/"})
	if n := s.conns.Load(); n != 3 {
		t.Fatalf("opened %d connections, want 3 (a new one after each Connection: close)", n)
	}
}

func TestChunkedBothWaysWithTrailers(t *testing.T) {
	type got struct {
		te      []string
		body    string
		trailer http.Header
	}
	seen := make(chan got, 1)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("server reading chunked body: %v", err)
		}
		seen <- got{r.TransferEncoding, string(b), r.Trailer}
		w.Header().Set("Trailer", "X-Sum")
		for i := 0; i < 3; i++ {
			io.WriteString(w, strings.Repeat(string(rune('a'+i)), 10000))
			w.(http.Flusher).Flush()
		}
		w.Header().Set("X-Sum", "30000")
	})
	c := s.client()
	// A reader yielding small pieces: each becomes one chunk.
	parts := []string{"hello ", "chunked ", "world"}
	body := io.MultiReader(strings.NewReader(parts[0]), strings.NewReader(parts[1]), strings.NewReader(parts[2]))
	req := &Request{Method: "POST", Path: "/stream", Body: body, ContentLength: -1,
		Header:  textproto.MIMEHeader{"Trailer": {"X-Error-Type"}},
		Trailer: func() textproto.MIMEHeader { return textproto.MIMEHeader{"X-Error-Type": {"Runtime.Oops"}} }}
	resp, b := do(t, c, req)
	g := <-seen
	if len(g.te) != 1 || g.te[0] != "chunked" || g.body != "hello chunked world" || g.trailer.Get("X-Error-Type") != "Runtime.Oops" {
		t.Fatalf("server got TE %v body %q trailer %v", g.te, g.body, g.trailer)
	}
	want := strings.Repeat("a", 10000) + strings.Repeat("b", 10000) + strings.Repeat("c", 10000)
	if string(b) != want {
		t.Fatalf("chunked response body: got %d bytes, want %d", len(b), len(want))
	}
	if resp.Trailer.Get("X-Sum") != "30000" {
		t.Fatalf("response trailer: %v", resp.Trailer)
	}
	// Chunked without a body or trailer, then the connection is reused.
	do(t, c, &Request{Method: "POST", Path: "/empty", ContentLength: -1})
	if g := <-seen; g.body != "" {
		t.Fatalf("empty chunked body arrived as %q", g.body)
	}
	if n := s.conns.Load(); n != 1 {
		t.Fatalf("opened %d connections, want 1", n)
	}
}

func TestCloseDelimitedBody(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		// identity with no length: net/http ends the body by closing.
		w.Header().Set("Transfer-Encoding", "identity")
		for i := 0; i < 5; i++ {
			io.WriteString(w, strings.Repeat("x", 7000))
			w.(http.Flusher).Flush()
		}
	})
	c := s.client()
	for i := 0; i < 2; i++ {
		resp, b := do(t, c, &Request{Method: "GET", Path: "/"})
		if len(b) != 35000 || resp.Header.Get("Content-Length") != "" || resp.Header.Get("Transfer-Encoding") != "" {
			t.Fatalf("close-delimited body: %d bytes, header %v", len(b), resp.Header)
		}
	}
	if n := s.conns.Load(); n != 2 {
		t.Fatalf("a close-delimited body must not leave its connection for reuse: %d connections, want 2", n)
	}
}

func TestInvalidHeadersNeverSent(t *testing.T) {
	var requests atomic.Int32
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { requests.Add(1) })
	c := s.client()
	cases := []struct {
		name  string
		req   Request
		field string
	}{
		{"CRLF in value", Request{Method: "GET", Path: "/", Header: textproto.MIMEHeader{"X-A": {"v\r\nX-Injected: 1"}}}, `"X-A"`},
		{"LF in value", Request{Method: "GET", Path: "/", Header: textproto.MIMEHeader{"X-B": {"v\nx"}}}, `"X-B"`},
		{"NUL in value", Request{Method: "GET", Path: "/", Header: textproto.MIMEHeader{"X-C": {"a\x00b"}}}, `"X-C"`},
		{"space in name", Request{Method: "GET", Path: "/", Header: textproto.MIMEHeader{"X D": {"v"}}}, `"X D"`},
		{"colon in name", Request{Method: "GET", Path: "/", Header: textproto.MIMEHeader{"X:E": {"v"}}}, `"X:E"`},
		{"CRLF in path", Request{Method: "GET", Path: "/a\r\nX-Injected: 1"}, "request target"},
		{"space in method", Request{Method: "GE T", Path: "/"}, "method"},
		{"CRLF in Host", Request{Method: "GET", Path: "/", Host: "h\r\nX: y"}, "Host"},
	}
	for _, tc := range cases {
		_, err := c.Do(context.Background(), &tc.req)
		if !errors.Is(err, ErrInvalidHeader) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: got %v, want ErrInvalidHeader naming %s", tc.name, err, tc.field)
		}
	}
	if n := s.conns.Load(); n != 0 {
		t.Fatalf("invalid requests opened %d connections; they must fail before dialling", n)
	}

	// An invalid trailer is only known after the body: the message is left
	// unterminated, so the server never accepts it as complete.
	var bodyErr atomic.Value
	s2 := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		bodyErr.Store(errString(err))
		if r.Trailer.Get("X-Bad") != "" {
			t.Errorf("server received the invalid trailer")
		}
	})
	_, err := s2.client().Do(context.Background(), &Request{Method: "POST", Path: "/", Body: strings.NewReader("data"), ContentLength: -1,
		Trailer: func() textproto.MIMEHeader { return textproto.MIMEHeader{"X-Bad": {"1\r\nX-Evil: 2"}} }})
	if !errors.Is(err, ErrInvalidHeader) || !strings.Contains(err.Error(), `trailer "X-Bad"`) {
		t.Fatalf("invalid trailer: got %v", err)
	}
	waitFor(t, func() bool { return bodyErr.Load() != nil })
	if e := bodyErr.Load().(string); e == "" {
		t.Fatalf("server read the body without error; want it truncated")
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// waitFor polls a condition another goroutine makes true.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCancelLongPoll(t *testing.T) {
	release := make(chan struct{})
	var gone atomic.Int32
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/body" {
			io.WriteString(w, "first part")
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
			gone.Add(1)
		case <-release:
		}
	})
	defer close(release)
	c := s.client()

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := c.Do(ctx, &Request{Method: "GET", Path: "/next"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled long poll: got %v, want context.Canceled", err)
	}
	waitFor(t, func() bool { return gone.Load() == 1 }) // the server saw the connection go

	// Cancelling while the body is being read aborts the read.
	ctx, cancel = context.WithCancel(context.Background())
	resp, err := c.Do(ctx, &Request{Method: "GET", Path: "/body"})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	n, err := io.ReadAtLeast(resp.Body, buf, len("first part"))
	if err != nil || string(buf[:n]) != "first part" {
		t.Fatalf("first part: %q %v", buf[:n], err)
	}
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = io.ReadAll(resp.Body)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled body read: got %v, want context.Canceled", err)
	}
	resp.Body.Close()
	waitFor(t, func() bool { return gone.Load() == 2 })

	// An already cancelled context never dials.
	before := s.conns.Load()
	if _, err := c.Do(ctx, &Request{Method: "GET", Path: "/"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Do with a cancelled context: %v", err)
	}
	if s.conns.Load() != before {
		t.Fatal("Do with a cancelled context dialled")
	}
}

func TestRetryAfterServerClosedIdleConn(t *testing.T) {
	var bodies []string
	var mu sync.Mutex
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		io.WriteString(w, "ok")
	})
	// Without the idle probe, the dead connection is only found by the
	// first read, as on platforms without MSG_PEEK or in the race where the
	// server closes just after the probe.
	probeIdle = false
	t.Cleanup(func() { probeIdle = true })
	c := s.client()
	do(t, c, &Request{Method: "GET", Path: "/"})
	s.CloseClientConnections() // the pooled connection is now dead

	// nil body: retried on a fresh connection.
	if _, b := do(t, c, &Request{Method: "GET", Path: "/"}); string(b) != "ok" {
		t.Fatalf("got %q", b)
	}
	// Replayable body, idempotent method: retried, and sent in full exactly
	// once more.
	s.CloseClientConnections()
	payload := bytes.NewReader([]byte("XXreplayable"))
	payload.Seek(2, io.SeekStart) // the retry must resume from here, not 0
	do(t, c, &Request{Method: "PUT", Path: "/", Body: payload, ContentLength: 10})
	// A POST that went out whole may have been acted on: never resent.
	do(t, c, &Request{Method: "GET", Path: "/"})
	s.CloseClientConnections()
	if _, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/", Body: strings.NewReader("event"), ContentLength: 5}); err == nil {
		t.Fatal("a fully written POST on a dead connection must fail, not be sent twice")
	}
	// A body that cannot be replayed: an error, not a silent resend.
	do(t, c, &Request{Method: "GET", Path: "/"})
	s.CloseClientConnections()
	_, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/", Body: io.MultiReader(strings.NewReader("once")), ContentLength: 4})
	if err == nil {
		t.Fatal("a non-replayable body on a dead reused connection must fail")
	}
	var de *DialError
	if errors.As(err, &de) {
		t.Fatalf("a failure after dialling is not a DialError: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(bodies, ",") != ",,replayable,," {
		t.Fatalf("server got bodies %q; want the PUT's exactly once and neither POST", bodies)
	}
	// The first, one per retry (GET, PUT), and one for the GET after the
	// failed POST killed its connection; the failed requests dial nothing.
	if n := s.conns.Load(); n != 4 {
		t.Fatalf("opened %d connections, want 4", n)
	}
}

func TestDialError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = (&Client{Addr: addr}).Do(context.Background(), &Request{Method: "GET", Path: "/"})
	var de *DialError
	if !errors.As(err, &de) {
		t.Fatalf("got %v (%T), want *DialError", err, err)
	}
}

// randReader is a deterministic stream that is not a *bytes.Reader, so the
// generic copy path is exercised.
type randReader struct{ r *rand.ChaCha8 }

func (r randReader) Read(p []byte) (int, error) { return r.r.Read(p) }

func TestLargeBodies(t *testing.T) {
	const size = 9 << 20
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, err := io.Copy(h, r.Body)
		if err != nil {
			t.Errorf("server: %v", err)
		}
		w.Header().Set("X-Len", itoa(n))
		w.Header().Set("X-Sum", string(h.Sum(nil)[:8]))
		if r.URL.Path == "/chunked" {
			w.(http.Flusher).Flush() // force a chunked response
		} else {
			w.Header().Set("Content-Length", itoa(size))
		}
		io.Copy(w, io.LimitReader(randReader{rand.NewChaCha8([32]byte{1})}, size))
	})
	c := s.client()
	want := make([]byte, size)
	rand.NewChaCha8([32]byte{1}).Read(want)
	wantSum := sha256.Sum256(want)

	bodies := []struct {
		path string
		body io.Reader
		n    int64
	}{
		{"/length", bytes.NewReader(want), size},
		{"/length", io.LimitReader(randReader{rand.NewChaCha8([32]byte{1})}, size), size},
		{"/chunked", io.LimitReader(randReader{rand.NewChaCha8([32]byte{1})}, size), -1},
	}
	for _, b := range bodies {
		resp, got := do(t, c, &Request{Method: "PUT", Path: b.path, Body: b.body, ContentLength: b.n})
		if resp.Header.Get("X-Len") != itoa(size) || resp.Header.Get("X-Sum") != string(wantSum[:8]) {
			t.Fatalf("%s (%T): server got %s bytes, wrong content", b.path, b.body, resp.Header.Get("X-Len"))
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: response body of %d bytes differs", b.path, len(got))
		}
	}
	if n := s.conns.Load(); n != 1 {
		t.Fatalf("opened %d connections, want 1", n)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestNoBodyResponses(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/hints":
			w.Header().Set("Link", "</a.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			w.Header().Del("Link")
			w.Header().Set("X-Final", "yes")
			io.WriteString(w, "final")
		case "/nocontent":
			w.WriteHeader(http.StatusNoContent)
		case "/head":
			w.Header().Set("Content-Length", "1000")
		case "/notmodified":
			w.Header().Set("Content-Length", "55")
			w.WriteHeader(http.StatusNotModified)
		}
	})
	c := s.client()
	resp, b := do(t, c, &Request{Method: "GET", Path: "/hints"})
	if resp.StatusCode != 200 || string(b) != "final" || resp.Header.Get("X-Final") != "yes" {
		t.Fatalf("after 103: %d %q %v", resp.StatusCode, b, resp.Header)
	}
	resp, b = do(t, c, &Request{Method: "DELETE", Path: "/nocontent"})
	if resp.StatusCode != 204 || len(b) != 0 {
		t.Fatalf("204: %d %q", resp.StatusCode, b)
	}
	resp, b = do(t, c, &Request{Method: "HEAD", Path: "/head"})
	if resp.StatusCode != 200 || len(b) != 0 || resp.Header.Get("Content-Length") != "1000" {
		t.Fatalf("HEAD: %d %q %v", resp.StatusCode, b, resp.Header)
	}
	resp, b = do(t, c, &Request{Method: "GET", Path: "/notmodified"})
	if resp.StatusCode != 304 || len(b) != 0 {
		t.Fatalf("304: %d %q", resp.StatusCode, b)
	}
	if n := s.conns.Load(); n != 1 {
		t.Fatalf("opened %d connections, want 1: bodiless responses must leave the connection reusable", n)
	}
}

func TestHeaderTooLarge(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Big", strings.Repeat("b", MaxHeaderBytes+1))
	})
	resp, err := s.client().Do(context.Background(), &Request{Method: "GET", Path: "/"})
	if err == nil {
		t.Logf("status %s header %d", resp.Status, len(resp.Header.Get("X-Big")))
	}
	if !errors.Is(err, ErrHeaderTooLarge) {
		t.Fatalf("got %v, want ErrHeaderTooLarge", err)
	}
}

func TestUnreadBodyClosesConnection(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("z", 100000))
	})
	c := s.client()
	resp, err := c.Do(context.Background(), &Request{Method: "GET", Path: "/"})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close() // unread: the connection cannot carry another request
	if _, err := resp.Body.Read(make([]byte, 1)); err == nil {
		t.Fatal("read after Close succeeded")
	}
	do(t, c, &Request{Method: "GET", Path: "/"})
	if n := s.conns.Load(); n != 2 {
		t.Fatalf("opened %d connections, want 2", n)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	})
	c := s.client()
	c.MaxIdle = 4
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Go(func() {
			for i := 0; i < 50; i++ {
				msg := strconv.Itoa(g*1000 + i)
				resp, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/", Body: strings.NewReader(msg), ContentLength: int64(len(msg))})
				if err != nil {
					t.Error(err)
					return
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || string(b) != msg {
					t.Errorf("got %q %v, want %q", b, err, msg)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := s.conns.Load(); n > 4 {
		t.Fatalf("4 goroutines opened %d connections; the pool should cap it at 4", n)
	}
}

// A server that refuses a large body without reading it (net/http answers,
// then closes) must yield its answer, not the broken pipe of the write.
func TestEarlyResponseToLargeBody(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > 1<<20 {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			io.WriteString(w, "too large")
			return
		}
		io.Copy(io.Discard, r.Body)
	})
	c := s.client()
	for _, n := range []int64{7 << 20, 64 << 20} {
		resp, b := do(t, c, &Request{Method: "POST", Path: "/", Body: bytes.NewReader(make([]byte, n)), ContentLength: n})
		if resp.StatusCode != 413 || string(b) != "too large" {
			t.Fatalf("%d bytes: got %d %q, want 413", n, resp.StatusCode, b)
		}
	}
	resp, _ := do(t, c, &Request{Method: "POST", Path: "/", Body: strings.NewReader("small"), ContentLength: 5})
	if resp.StatusCode != 200 {
		t.Fatalf("after 413: %d", resp.StatusCode)
	}
}

// Malformed answers, written raw through a hijacked net/http connection,
// fail with a specific error instead of being half-trusted.
func TestMalformedResponses(t *testing.T) {
	raw := map[string]string{
		"/status":    "HTTP/1.1 2x0 OK\r\n\r\n",
		"/proto":     "HTTP/2.0 200 OK\r\n\r\n",
		"/conflict":  "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
		"/negative":  "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"/te":        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
		"/upgrade":   "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
		"/truncated": "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
		"/chunk":     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n",
		"/chunkend":  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n",
		"/header":    "HTTP/1.1 200 OK\r\nBad Header Line\r\n\r\n",
	}
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		c, b, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		b.WriteString(raw[r.URL.Path])
		b.Flush()
		c.Close()
	})
	c := s.client()
	for path, wantErr := range map[string]string{
		"/status": `malformed response: status code "2x0"`, "/proto": `unsupported protocol "HTTP/2.0"`,
		"/conflict": "conflicting Content-Length", "/negative": `Content-Length "-1"`,
		"/te": `unsupported Transfer-Encoding "gzip"`, "/upgrade": "101 Switching Protocols",
		"/truncated": "unexpected EOF", "/chunk": "malformed chunked encoding",
		"/chunkend": "malformed chunked encoding", "/header": "malformed response: header",
	} {
		resp, err := c.Do(context.Background(), &Request{Method: "GET", Path: path})
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%s: got %v, want an error containing %q", path, err, wantErr)
		}
	}
}

// The idle probe finds a connection the server closed while it sat in the
// pool, so even a request that could not be replayed goes out on a fresh
// connection, and only once.
func TestIdleProbeSkipsClosedConn(t *testing.T) {
	var posts atomic.Int32
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" {
			posts.Add(1)
		}
		io.Copy(io.Discard, r.Body)
	})
	c := s.client()
	do(t, c, &Request{Method: "GET", Path: "/"})
	s.CloseClientConnections()
	waitFor(t, func() bool { // until the FIN has arrived
		c.mu.Lock()
		defer c.mu.Unlock()
		return !c.idle[0].probe.usable()
	})
	do(t, c, &Request{Method: "POST", Path: "/", Body: io.MultiReader(strings.NewReader("once")), ContentLength: 4})
	if posts.Load() != 1 || s.conns.Load() != 2 {
		t.Fatalf("%d posts over %d connections, want 1 over 2", posts.Load(), s.conns.Load())
	}
	// A live idle connection passes the probe and is reused.
	do(t, c, &Request{Method: "GET", Path: "/"})
	if n := s.conns.Load(); n != 2 {
		t.Fatalf("opened %d connections, want 2", n)
	}
}

// Connect dials ahead: the next request goes out on that connection, and a
// failure on it is a fresh connection's (not retried, like a dial), so a
// caller that counts its attempts (the loop's backoff) sees every one.
func TestConnectDialsAhead(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	c := s.client()
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return s.conns.Load() == 1 })
	if _, b := do(t, c, &Request{Method: "GET", Path: "/"}); string(b) != "ok" {
		t.Fatalf("got %q", b)
	}
	if n := s.conns.Load(); n != 1 {
		t.Fatalf("Connect then a request opened %d connections, want 1", n)
	}

	probeIdle = false // find the dead connection by its first read, as in the race
	t.Cleanup(func() { probeIdle = true })
	c.CloseIdleConnections()
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return s.conns.Load() == 2 })
	s.CloseClientConnections()
	if _, err := c.Do(context.Background(), &Request{Method: "GET", Path: "/"}); err == nil {
		t.Fatal("a request on a dead connection from Connect must fail, not be retried")
	}
	if n := s.conns.Load(); n != 2 {
		t.Fatalf("opened %d connections, want 2 (no retry)", n)
	}

	var de *DialError
	if err := (&Client{Addr: "127.0.0.1:1"}).Connect(context.Background()); !errors.As(err, &de) {
		t.Fatalf("Connect to a closed port: %v, want a DialError", err)
	}
}
