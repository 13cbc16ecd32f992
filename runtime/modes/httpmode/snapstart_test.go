package httpmode_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/sandbox"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
	"github.com/faas-runtime/faas-runtime/runtime/modes/httpmode"
)

func snapBox(t *testing.T, env ...string) *box {
	t.Helper()
	rt := testutil.Binary(t, "./cmd/faas-runtime")
	return newBox(t, sandbox.Options{Command: append([]string{rt}, adapterApp(t)...), SnapStart: true}, 3*time.Second, env...)
}

// SnapStart as the adapter does it since 1.1.0: the before-checkpoint hook
// after init, the after-restore hook after the restore, each an empty POST
// and each once; event traffic to the hook paths is answered 403 and never
// reaches the app.
func TestSnapStartHooks(t *testing.T) {
	b := snapBox(t, "AWS_LWA_SNAPSTART_BEFORE_CHECKPOINT_PATH=/snapstart/before", "AWS_LWA_SNAPSTART_AFTER_RESTORE_PATH=snapstart/after")
	for range 2 {
		if _, lr := b.ok(t, v2Event("GET", "/snapstart-log", "", nil)); lr.Body != "before,after" {
			t.Fatalf("hook calls %q, want before,after (once each)", lr.Body)
		}
	}
	for _, path := range []string{"/snapstart/before", "/snapstart/after"} {
		_, lr := b.ok(t, v2Event("POST", path, "", nil))
		if lr.StatusCode != 403 {
			t.Errorf("event to %s: status %d, want 403", path, lr.StatusCode)
		}
	}
	if _, lr := b.ok(t, v2Event("GET", "/snapstart-log", "", nil)); lr.Body != "before,after" {
		t.Errorf("the 403 events reached the app: %q", lr.Body)
	}
	if b.Emulator().Restores() != 1 {
		t.Errorf("%d restores, want 1", b.Emulator().Restores())
	}
}

// A hook answered non-2xx fails its phase: before the checkpoint, init;
// after the restore, the restore (posted to /restore/error). Either way
// the invocation waiting gets the error and the app never serves it.
func TestSnapStartHookFailure(t *testing.T) {
	for _, env := range []string{"AWS_LWA_SNAPSTART_BEFORE_CHECKPOINT_PATH", "AWS_LWA_SNAPSTART_AFTER_RESTORE_PATH"} {
		t.Run(env, func(t *testing.T) {
			b := snapBox(t, env+"=/respond?status=503&body=draining")
			b.allowNone[""] = true
			res := b.invoke(t, v2Event("GET", "/echo", "", nil))
			var e api.Error
			json.Unmarshal(res.Body, &e)
			if !res.Failed() || e.Type != modes.ErrTypeSnapStartHook || !strings.Contains(e.Message, "503") || !strings.Contains(e.Message, "draining") {
				t.Fatalf("%+v (%s)", res, res.Body)
			}
		})
	}
}

// AWS_LWA_READINESS_CHECK_TIMEOUT_SECONDS (adapter 1.1.0, fractional
// seconds) bounds the readiness wait: an app that is not ready within it
// fails init, with the wait's bound in the error.
func TestReadinessCheckTimeout(t *testing.T) {
	b := startBox(t, adapterApp(t), 5*time.Second, "AWS_LWA_READINESS_CHECK_TIMEOUT_SECONDS=0.3", "ADAPTERAPP_START_DELAY_MS=3000")
	res := b.invoke(t, v2Event("GET", "/echo", "", nil))
	var e api.Error
	json.Unmarshal(res.Body, &e)
	if !res.Failed() || e.Type != httpmode.ErrTypeAppNotReady || !strings.Contains(e.Message, "300ms") {
		t.Fatalf("%+v (%s)", res, res.Body)
	}
	cfg, err := httpmode.LoadConfig(func(k string) string {
		return map[string]string{"AWS_LWA_READINESS_CHECK_TIMEOUT_SECONDS": "-1"}[k]
	})
	if err != nil || cfg.ReadinessTimeout != 0 || len(cfg.Warnings) != 1 {
		t.Errorf("a value <= 0 is no bound, with a warning: %+v %v", cfg, err)
	}
}

// In response_stream mode the 403 for a hook path is a streamed response
// too: the prelude with status 403, then the body.
func TestSnapStartHookPathForbiddenStreamed(t *testing.T) {
	b := snapBox(t, "AWS_LWA_INVOKE_MODE=response_stream", "AWS_LWA_SNAPSTART_AFTER_RESTORE_PATH=/snapstart/after")
	res := b.invoke(t, v2Event("POST", "/snapstart/after", "", nil))
	prelude, body, ok := strings.Cut(string(res.Body), "\x00\x00\x00\x00\x00\x00\x00\x00")
	if res.Failed() || !res.Streamed || !ok || !strings.Contains(prelude, `"statusCode":403`) || body != "Forbidden" {
		t.Fatalf("%+v: %q", res, res.Body)
	}
	// The app saw the after-restore hook once, and not the forbidden event.
	res = b.invoke(t, v2Event("GET", "/snapstart-log", "", nil))
	if _, log, _ := strings.Cut(string(res.Body), "\x00\x00\x00\x00\x00\x00\x00\x00"); log != "after" {
		t.Errorf("hook calls the app saw: %q, want after", log)
	}
}
