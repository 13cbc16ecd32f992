//go:build unix

// Kills a process with syscall.Kill, which Windows does not have.

package httpmode_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/sandbox"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// extensionBox runs faas-runtime where AWS Lambda Web Adapter runs: as an
// external extension (started as /opt/extensions/faas-runtime, before the
// app, registered with the Extensions API), with the web app itself as the
// runtime process, started by the sandbox as Lambda starts an image's
// entrypoint.
func extensionBox(t *testing.T, app []string, timeout time.Duration, env ...string) *box {
	t.Helper()
	rt := testutil.Binary(t, "./cmd/faas-runtime")
	return newBox(t, sandbox.Options{Command: app, Extensions: []sandbox.Extension{{Path: rt}}}, timeout, env...)
}

// TestExtensionRole: the one-line switch from the adapter. Every event
// shape and the pass-through path work with faas-runtime in the adapter's
// place, buffered and streamed, and it ends cleanly on SHUTDOWN.
func TestExtensionRole(t *testing.T) {
	for name, app := range apps(t) {
		t.Run(name, func(t *testing.T) {
			b := extensionBox(t, app, 5*time.Second)
			for _, s := range shapes() {
				_, lr := b.ok(t, s.build("POST", "/echo", "hello "+s.name))
				var got echoed
				if err := json.Unmarshal(lr.body(t), &got); err != nil || lr.StatusCode != 200 {
					t.Fatalf("%s: %d %s: %v", s.name, lr.StatusCode, lr.body(t), err)
				}
				if got.Path != "/echo" || got.Body != "hello "+s.name || got.Method != "POST" {
					t.Errorf("%s: the app saw %+v", s.name, got)
				}
				if ctx := got.header("X-Amzn-Lambda-Context"); len(ctx) != 1 || strings.Contains(ctx[0], "forged") {
					t.Errorf("%s: x-amzn-lambda-context %q", s.name, ctx)
				}
			}
			res := b.invoke(t, sqsEvent)
			if res.Failed() || !bytes.Contains(res.Body, []byte("queued work")) {
				t.Errorf("pass-through: %s %s", res.Outcome, res.Body)
			}

			exts := b.Emulator().Extensions()
			if len(exts) != 1 || exts[0].Name != "faas-runtime" || !exts[0].Ready ||
				len(exts[0].Events) != 1 || exts[0].Events[0] != api.ExtensionEventShutdown {
				t.Errorf("registered extensions: %+v", exts)
			}
			if !strings.Contains(b.logs.String(), "role=extension") {
				t.Error("the runtime did not log its extension role")
			}
			if b.Starts() != 1 {
				t.Errorf("%d environments started, want 1", b.Starts())
			}
			if err := b.Stop(3 * time.Second); err != nil && name == "go" {
				t.Errorf("stopping: %v", err)
			}
			if !strings.Contains(b.logs.String(), "shutdown event") {
				t.Error("the extension did not receive SHUTDOWN")
			}
		})
	}
}

func TestExtensionRoleStreaming(t *testing.T) {
	b := extensionBox(t, apps(t)["go"], 5*time.Second, "AWS_LWA_INVOKE_MODE=response_stream")
	ev := shapes()[4].build("GET", "/stream", "")
	ev = bytes.Replace(ev, []byte(`x=1`), []byte(`n=3&ms=200`), 1)
	rec := &chunkRecorder{}
	res, err := b.Invoke(context.Background(), ev, emulator.InvokeOptions{Stream: rec})
	if err != nil || res.Failed() || !res.Streamed || res.ContentType != api.ContentTypeHTTPIntegration {
		t.Fatalf("%v %+v", err, res)
	}
	if !strings.HasSuffix(rec.data.String(), "chunk 0\nchunk 1\nchunk 2\n") {
		t.Fatalf("stream %q", rec.data.String())
	}
	if gap := rec.arrival("chunk 2").Sub(rec.arrival("chunk 0")); gap < 250*time.Millisecond {
		t.Errorf("chunk 0 arrived only %v before chunk 2: buffered, not streamed", gap)
	}
}

// TestExtensionRoleInitErrors: what the extension cannot serve fails the
// init through /extension/init/error, with the reason.
func TestExtensionRoleInitErrors(t *testing.T) {
	goApp := apps(t)["go"]
	t.Run("bad config", func(t *testing.T) {
		b := extensionBox(t, goApp, 3*time.Second, "AWS_LWA_READINESS_CHECK_PORT=none")
		res := b.invoke(t, shapes()[1].build("GET", "/echo", ""))
		b.allowNone[res.RequestID] = true
		if res.Outcome != emulator.OutcomeInitError || res.ErrorType != "Extension.InitError" || !strings.Contains(string(res.Body), "AWS_LWA_READINESS_CHECK_PORT") {
			t.Fatalf("%s %s %s", res.Outcome, res.ErrorType, res.Body)
		}
	})
	t.Run("not http mode", func(t *testing.T) {
		b := extensionBox(t, goApp, 3*time.Second, "FAAS_MODE=exec")
		res := b.invoke(t, shapes()[1].build("GET", "/echo", ""))
		b.allowNone[res.RequestID] = true
		if res.Outcome != emulator.OutcomeInitError || res.ErrorType != "Extension.InitError" || !strings.Contains(string(res.Body), "only http mode") {
			t.Fatalf("%s %s %s", res.Outcome, res.ErrorType, res.Body)
		}
	})
}

// TestExtensionCrash: an extension that dies takes its environment down,
// as in Lambda: the invocation gets an error and the next one a new
// environment.
func TestExtensionCrash(t *testing.T) {
	b := extensionBox(t, apps(t)["go"], 5*time.Second)
	b.ok(t, shapes()[1].build("GET", "/echo", ""))
	pids := b.ExtensionPIDs()
	if len(pids) != 1 {
		t.Fatalf("extension pids %v", pids)
	}
	if err := syscall.Kill(pids[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for b.Exits() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if b.Exits() != 1 {
		t.Fatalf("the environment did not end when its extension died (%d exits)", b.Exits())
	}
	if _, lr := b.ok(t, shapes()[1].build("GET", "/echo", "")); lr.StatusCode != 200 || b.Starts() != 2 {
		t.Fatalf("after the crash: %d, %d starts", lr.StatusCode, b.Starts())
	}
}
