package emulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// register posts /extension/register and returns the status, the
// identifier header and the body.
func register(t *testing.T, base, name, body string) (int, string, []byte) {
	t.Helper()
	code, h, b := request(t, http.MethodPost, base+api.PathExtensionRegister, []byte(body), map[string]string{api.HeaderExtensionName: name})
	return code, h.Get(api.HeaderExtensionID), b
}

func extNext(t *testing.T, base, id string) (int, []byte) {
	t.Helper()
	code, _, b := request(t, http.MethodGet, base+api.PathExtensionNext, nil, map[string]string{api.HeaderExtensionID: id})
	return code, b
}

// TestExtensionsAPI pins the emulator's Extensions API to Lambda's: what
// registration answers and refuses, identifiers checked on every call,
// INVOKE and SHUTDOWN delivered to the extensions that subscribed.
func TestExtensionsAPI(t *testing.T) {
	e, base := start(t, emulator.Config{FunctionName: "fn", Handler: "app.py", Timeout: 5 * time.Second})

	refusals := []struct {
		name, extName, body, typ string
	}{
		{"no name", "", `{"events":[]}`, "Extension.InvalidExtensionName"},
		{"bad JSON", "x", `{"events":`, "InvalidRequestFormat"},
		{"unknown event", "x", `{"events":["INVOKE","LOGS"]}`, "Extension.InvalidEventType"},
		{"configurationKeys", "x", `{"events":[],"configurationKeys":["k"]}`, "InvalidRequestFormat"},
	}
	for _, r := range refusals {
		if code, id, b := register(t, base, r.extName, r.body); code != 403 || id != "" || errType(t, b) != r.typ {
			t.Errorf("%s: %d %q %s, want 403 %s", r.name, code, id, b, r.typ)
		}
	}

	code, invokeID, b := register(t, base, "watcher", `{"events":["INVOKE","SHUTDOWN"]}`)
	var info map[string]string
	if code != 200 || invokeID == "" || json.Unmarshal(b, &info) != nil || info["functionName"] != "fn" || info["handler"] != "app.py" {
		t.Fatalf("register: %d %q %s", code, invokeID, b)
	}
	if code, _, b := register(t, base, "watcher", `{"events":[]}`); code != 403 || errType(t, b) != "Extension.InvalidExtensionState" {
		t.Errorf("same name twice: %d %s", code, b)
	}
	code, quietID, _ := register(t, base, "quiet", `{"events":[]}`)
	if code != 200 {
		t.Fatalf("second extension: %d", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := e.WaitExtensions(ctx, 2); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct{ id, typ string }{
		{"", "Extension.MissingExtensionIdentifier"},
		{"not-a-uuid", "Extension.InvalidExtensionIdentifier"},
		{"6f0d1b8e-3f59-4f57-9f4e-6d2f3b1a2c3d", "Extension.UnknownExtensionIdentifier"},
	} {
		if code, b := extNext(t, base, c.id); code != 403 || errType(t, b) != c.typ {
			t.Errorf("next with identifier %q: %d %s, want 403 %s", c.id, code, b, c.typ)
		}
	}

	// An invocation handed to the runtime is announced to the INVOKE
	// subscriber with its request id and deadline.
	got := make(chan api.ExtensionEvent, 4)
	go func() {
		for range 2 {
			code, b := extNext(t, base, invokeID)
			var ev api.ExtensionEvent
			if code == 200 && json.Unmarshal(b, &ev) == nil {
				got <- ev
			}
		}
	}()
	done := invokeAsync(e, `{}`, emulator.InvokeOptions{TraceID: "Root=1-abc"})
	resp, _ := next(t, base)
	rid := resp.Header.Get(api.HeaderRequestID)
	post(t, base+api.ResponsePath(rid), "application/json", []byte(`"ok"`), nil)
	if r := <-done; r.err != nil || r.res.Failed() {
		t.Fatalf("invoke: %+v", r)
	}
	select {
	case ev := <-got:
		if ev.EventType != "INVOKE" || ev.RequestID != rid || ev.DeadlineMs == 0 || ev.Tracing == nil || ev.Tracing.Value != "Root=1-abc" {
			t.Errorf("INVOKE event %+v", ev)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no INVOKE event")
	}

	// Registration closes once the runtime has taken an invocation.
	if code, _, b := register(t, base, "late", `{"events":[]}`); code != 403 || errType(t, b) != "Extension.RegistrationClosed" {
		t.Errorf("late registration: %d %s", code, b)
	}

	e.Shutdown("spindown", time.Now().Add(time.Second))
	e.Shutdown("spindown", time.Now().Add(time.Second)) // sent once
	select {
	case ev := <-got:
		if ev.EventType != "SHUTDOWN" || ev.ShutdownReason != "spindown" || ev.DeadlineMs == 0 {
			t.Errorf("SHUTDOWN event %+v", ev)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no SHUTDOWN event")
	}

	// An extension's init error is the environment's init error.
	if code, b := post(t, base+api.PathExtensionInitError, "application/json", api.NewError("Runtime.AppNotReady", "port 8080 never opened").JSON(),
		map[string]string{api.HeaderExtensionID: quietID, api.HeaderExtensionErrorType: "Runtime.AppNotReady"}); code != 202 {
		t.Fatalf("init error: %d %s", code, b)
	}
	if ie := e.InitError(); ie == nil || ie.Type != "Extension.InitError" || !strings.Contains(ie.Message, "quiet") || !strings.Contains(ie.Message, "port 8080 never opened") {
		t.Errorf("init error %+v", ie)
	}
	if code, _ := post(t, base+api.PathExtensionExitError, "application/json", []byte(`{}`), nil); code != 403 {
		t.Errorf("exit error without identifier: %d", code)
	}
}

// Without a Telemetry subscriber (Config.Telemetry), the Telemetry and
// Logs APIs answer as RIE's stub does: 202 and Telemetry.NotSupported
// (Logs.NotSupported), so that extensions run on; an unknown identifier
// is refused first, as on every Extensions API call.
func TestTelemetryStub(t *testing.T) {
	_, base := start(t, emulator.Config{})
	code, id, _ := register(t, base, "watcher", `{"events":[]}`)
	if code != 200 {
		t.Fatalf("register: %d", code)
	}
	for path, typ := range map[string]string{"/2022-07-01/telemetry": "Telemetry.NotSupported", "/2020-08-15/logs": "Logs.NotSupported"} {
		code, _, b := request(t, http.MethodPut, base+path, []byte(`{"types":["platform"]}`), map[string]string{api.HeaderExtensionID: id})
		if code != 202 || errType(t, b) != typ {
			t.Errorf("%s: %d %s, want 202 %s", path, code, b, typ)
		}
		if code, _, _ := request(t, http.MethodPut, base+path, []byte(`{}`), map[string]string{api.HeaderExtensionID: "00000000-0000-0000-0000-000000000000"}); code != 403 {
			t.Errorf("%s with an unknown identifier: %d, want 403", path, code)
		}
	}
}
