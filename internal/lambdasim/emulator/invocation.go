package emulator

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// Invoker runs one invocation: an Emulator (one execution environment), or
// the sandbox's pool of them.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte, opts InvokeOptions) (*Result, error)
}

// Outcome says how an invocation ended.
type Outcome string

const (
	OutcomeResponse    Outcome = "response"     // runtime posted a response
	OutcomeError       Outcome = "error"        // runtime posted an error
	OutcomeTimeout     Outcome = "timeout"      // deadline passed, nothing posted
	OutcomeRuntimeExit Outcome = "runtime-exit" // runtime process died first
	OutcomeInitError   Outcome = "init-error"   // the runtime failed to initialise
)

// Result is what an invoker gets back.
type Result struct {
	RequestID   string
	Outcome     Outcome
	Body        []byte // response body, or the error JSON
	ContentType string
	ErrorType   string // set for every outcome but OutcomeResponse
	Streamed    bool
	Duration    time.Duration // from Invoke to the outcome, queueing included
	// Delivered is when the runtime got the event (zero if it never did),
	// Ended when the invocation ended: Lambda's Duration is the span.
	Delivered, Ended time.Time
	// LogTail is the end of the invocation's log (at most 4 KB), when
	// InvokeOptions.LogTail asked for it and the sandbox keeps one.
	LogTail  []byte
	platform bool // the emulator decided it, not a runtime's post
}

// Failed reports whether the function failed (anything but a response).
func (r *Result) Failed() bool { return r.Outcome != OutcomeResponse }

// InvokeOptions carry the optional invocation context.
type InvokeOptions struct {
	ClientContext   string // JSON, as the Lambda-Runtime-Client-Context header
	CognitoIdentity string
	TenantID        string
	TraceID         string
	// RequestID, when set, is the invocation's request id instead of a
	// fresh one: a caller that supplies its own, an upstream retry, or
	// Lambda retrying an asynchronous event reuses one. It must not be
	// held by a running invocation.
	RequestID string
	// Stream, when set, receives a streamed response's bytes as they
	// arrive (flushed if it is an http.Flusher); Result.Body is then empty.
	Stream io.Writer
	// LogTail asks for Result.LogTail.
	LogTail bool
}

// ErrPayloadTooLarge is returned for an event over 6 MB, as Lambda does.
var ErrPayloadTooLarge = errors.New(ErrTypeRequestEntityTooLarge + ": request payload exceeds 6291456 bytes")

// ErrRequestIDInUse is returned for InvokeOptions.RequestID when a running
// invocation holds that id.
var ErrRequestIDInUse = errors.New("the request id is held by a running invocation")

type state int

const (
	queued state = iota
	delivered
	done
)

type invocation struct {
	id        string
	nonce     string // Lambda-Runtime-Invocation-Id, fresh on each /next
	payload   []byte // dropped when the invocation ends
	opts      InvokeOptions
	deadline  time.Time
	state     state
	delivered time.Time     // when /next handed it out
	started   chan struct{} // closed when delivered to the runtime
	result    chan *Result  // buffered(1); receives the final result once
}

// errResult is an outcome the platform decides, not a runtime's post.
func errResult(id string, o Outcome, ae *api.Error) *Result {
	return &Result{RequestID: id, Outcome: o, Body: ae.JSON(), ContentType: "application/json", ErrorType: ae.Type, platform: true}
}
