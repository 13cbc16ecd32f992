package api_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// TestInvocationBody: the runtime's own words get the request id once, a
// final body keeps its words, and an untyped error becomes Runtime.Unknown.
func TestInvocationBody(t *testing.T) {
	for _, c := range []struct {
		err       error
		typ, want string
	}{
		{api.Errorf("Runtime.ExitError", "exit %d", 3), "Runtime.ExitError", "RequestId: r1 Error: exit 3"},
		{fmt.Errorf("wrapped: %w", api.Errorf("Runtime.X", "x")), "Runtime.X", "RequestId: r1 Error: x"},
		{api.TimedOut(3 * time.Second), api.ErrTypeTimeout, "RequestId: r1 Error: Task timed out after 3.00 seconds"},
		{api.NewError("HandlerError", "the library's words"), "HandlerError", "the library's words"},
		{api.ResponseTooLarge(7), api.ErrTypeResponseTooBig, "Response payload size (7 bytes) exceeded maximum allowed payload size (6291556 bytes)."},
		{errors.New("plain"), api.ErrTypeUnknown, "RequestId: r1 Error: plain"},
	} {
		b := api.InvocationBody("r1", c.err)
		if b.Type != c.typ || b.Message != c.want || b.StackTrace == nil {
			t.Errorf("%v: got %s %q %v, want %s %q", c.err, b.Type, b.Message, b.StackTrace, c.typ, c.want)
		}
		if again := api.InvocationBody("r1", b); again.Message != b.Message {
			t.Errorf("a posted body is worded again: %q", again.Message)
		}
	}
	if b := api.Timeout("r2", 1500*time.Millisecond); b.Message != "RequestId: r2 Error: Task timed out after 1.50 seconds" {
		t.Errorf("Timeout: %q", b.Message)
	}
}

// TestInitBody: an init error keeps its type and words (no request id).
func TestInitBody(t *testing.T) {
	if b := api.InitBody(api.Errorf(api.ErrTypeBadConfig, "bad %s", "x"), api.ErrTypeInitError); b.Type != api.ErrTypeBadConfig || b.Message != "bad x" {
		t.Errorf("typed: %+v", b)
	}
	if b := api.InitBody(errors.New("boom"), api.ErrTypeInitError); b.Type != api.ErrTypeInitError || b.Message != "boom" {
		t.Errorf("untyped: %+v", b)
	}
	if api.TypeOf(nil) != "" || api.TypeOf(errors.New("x")) != "" || api.TypeOf(api.Errorf("T", "m")) != "T" {
		t.Error("TypeOf")
	}
}
