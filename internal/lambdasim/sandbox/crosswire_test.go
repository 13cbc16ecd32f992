package sandbox_test

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
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

// gate sits between the runtime and the emulator (the sandbox's
// RuntimeAPI) and orders the posts for a reused request id: the first
// invocation's are held until the second invocation has been handed out,
// and the second's until the first's have been answered. That is the race
// (a late answer while the new invocation runs) on a deterministic
// schedule. Everything else passes through unchanged.
type gate struct {
	proxy *httputil.ReverseProxy
	srv   *http.Server
	addr  string

	mu       sync.Mutex
	target   *url.URL
	nonces   map[string][]string // request id -> invocation ids handed out
	reused   chan struct{}       // closed when a request id is handed out twice
	released bool
	lateDone chan struct{} // closed when the first invocation's post was answered
	lateOnce sync.Once
}

func newGate(t *testing.T) *gate {
	g := &gate{nonces: map[string][]string{}, reused: make(chan struct{}), lateDone: make(chan struct{})}
	g.proxy = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			g.mu.Lock()
			r.SetURL(g.target)
			g.mu.Unlock()
		},
		FlushInterval: -1,
		ErrorLog:      log.New(io.Discard, "", 0), // a long poll cut at Close is not news
		ModifyResponse: func(resp *http.Response) error {
			id := resp.Header.Get(api.HeaderRequestID)
			if resp.Request.URL.Path != api.PathNext || id == "" {
				return nil
			}
			g.mu.Lock()
			defer g.mu.Unlock()
			g.nonces[id] = append(g.nonces[id], resp.Header.Get(api.HeaderInvocationID))
			if len(g.nonces[id]) == 2 && !g.released {
				g.released = true
				close(g.reused)
			}
			return nil
		},
	}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g.addr = ln.Addr().String()
	g.srv = &http.Server{Handler: http.HandlerFunc(g.serve)}
	go g.srv.Serve(ln)
	t.Cleanup(func() { g.srv.Close() })
	return g
}

func (g *gate) setTarget(addr string) {
	g.mu.Lock()
	g.target = &url.URL{Scheme: "http", Host: addr}
	g.mu.Unlock()
}

func (g *gate) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, api.PathInvoke) {
		id := strings.Split(strings.TrimPrefix(r.URL.Path, api.PathInvoke), "/")[0]
		nonce := r.Header.Get(api.HeaderInvocationID)
		g.mu.Lock()
		seen := g.nonces[id]
		g.mu.Unlock()
		switch {
		case len(seen) > 0 && nonce == seen[0]:
			wait(g.reused)
			g.proxy.ServeHTTP(w, r)
			g.lateOnce.Do(func() { close(g.lateDone) })
			return
		case len(seen) > 1 && nonce == seen[1]:
			wait(g.lateDone)
		}
	}
	g.proxy.ServeHTTP(w, r)
}

func wait(ch <-chan struct{}) {
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
	}
}

// The race Lambda-Runtime-Invocation-Id exists for, in each mode with
// Managed Instances concurrency: invocation A times out while its runtime
// runs on, B reuses A's request id, then A's answer arrives. Lambda (here
// the emulator) refuses it with 410; the runtime logs that and goes on;
// B gets B's answer. The real faas-runtime binary runs each mode.
func TestLateAnswerIsRefused(t *testing.T) {
	testutil.Slow(t, "builds faas-runtime, faas-runtime-sharedlib, an http app and a C library")
	if runtime.GOOS != "linux" {
		t.Skip("sharedlib and the shell function need Linux")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "fn.sh")
	// A never finishes (the runtime stops it at the deadline and posts
	// the timeout, late); anything else is echoed.
	os.WriteFile(script, []byte("#!/bin/sh\nev=$(cat)\n[ \"$ev\" = '\"A\"' ] && exec sleep 30\necho \"$ev\"\n"), 0o755)
	static := testutil.Binary(t, "./cmd/faas-runtime")
	app := testutil.GoBuild(t, dir, "./examples/http-go", "http-go")
	lib := filepath.Join(dir, "testfn.so")
	gcc := testutil.Need(t, "gcc")[0]
	root := testutil.RepoRoot(t)
	if b, err := exec.Command(gcc, "-shared", "-fPIC", "-O2", "-I", filepath.Join(root, "include"), "-o", lib,
		filepath.Join(root, "runtime/modes/sharedlib/testdata/testfn.c")).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, b)
	}
	httpEvent := func(path, body string) string {
		return `{"version":"2.0","rawPath":"` + path + `","rawQueryString":"ms=30000","headers":{},` +
			`"requestContext":{"http":{"method":"GET","path":"` + path + `"}},"body":"` + body + `","isBase64Encoded":false}`
	}
	for _, tc := range []struct {
		name     string
		cmd      []string
		env      []string
		a, b     string // events
		bAnswers string // in B's answer
	}{
		{"exec", []string{static, script}, nil, `"A"`, `"B"`, `"B"`},
		{"http", []string{static, app}, []string{"AWS_LWA_PORT=" + testutil.FreePort(t)}, httpEvent("/slow", ""), httpEvent("/echo", "B"), `B`},
		{"sharedlib", []string{testutil.BinaryWithTags(t, "./cmd/faas-runtime", "sharedlib"), lib}, nil, "late", "B", "B"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGate(t)
			logs := &testutil.SyncBuffer{}
			ledger := emulatortest.NewLedger()
			var gone atomic.Int32
			sb, err := sandbox.Start(sandbox.Options{Command: tc.cmd, Env: tc.env, Timeout: 2 * time.Second, MaxConcurrency: 2,
				RuntimeAPI: g.addr, Stdout: logs, Stderr: logs, Observe: func(ev emulator.Event) {
					ledger.Observe(ev)
					if ev.Kind == emulator.EventGone {
						gone.Add(1)
					}
				}})
			if err != nil {
				t.Fatal(err)
			}
			defer sb.Close()
			g.setTarget(sb.Addr())
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()

			a, err := sb.Invoke(ctx, []byte(tc.a), emulator.InvokeOptions{RequestID: "reused-request-id"})
			if err != nil || a.Outcome != emulator.OutcomeTimeout {
				t.Fatalf("A: %+v %v\n%s", a, err, logs)
			}
			b, err := sb.Invoke(ctx, []byte(tc.b), emulator.InvokeOptions{RequestID: "reused-request-id"})
			if err != nil || b.Outcome != emulator.OutcomeResponse || !strings.Contains(string(b.Body), tc.bAnswers) || strings.Contains(string(b.Body), "timed out") {
				t.Fatalf("B got %+v %v, want its own answer\n%s", b, err, logs)
			}
			// A's answer was posted, and refused.
			for deadline := time.Now().Add(10 * time.Second); gone.Load() == 0; time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("A's late answer never reached the Runtime API\n%s", logs)
				}
			}
			if !logs.WaitFor("the invocation is gone") {
				t.Fatalf("the runtime did not log the 410\n%s", logs)
			}
			// The runtime went on: both loops still serve, in the same process.
			for _, ev := range []string{tc.b, tc.b} {
				if r, err := sb.Invoke(ctx, []byte(ev), emulator.InvokeOptions{}); err != nil || r.Failed() {
					t.Fatalf("after the 410: %+v %v\n%s", r, err, logs)
				}
			}
			if sb.Starts() != 1 || sb.Exits() != 0 {
				t.Fatalf("the runtime was restarted (%d starts, %d exits)\n%s", sb.Starts(), sb.Exits(), logs)
			}
			if err := ledger.CheckExactlyOnce(map[string]bool{"reused-request-id": true}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
