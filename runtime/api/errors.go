package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Error is the body of an error post, in aws-lambda-go's shape
// (messages.InvokeResponse_Error without the Go-only fields).
//
// Inside the runtime an *Error also travels as an error value, from the
// mode that failed to the bootstrap loop that posts it. One made by Errorf
// is in the runtime's own words, to which the loop adds the invocation's
// request id (InvocationBody); one made by NewError, or decoded from the
// wire, is final and posted as it is.
type Error struct {
	Message    string   `json:"errorMessage"`
	Type       string   `json:"errorType"`
	StackTrace []string `json:"stackTrace"`

	ours bool // made by Errorf: worded as Lambda words its own errors when posted
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// NewError returns a final error body, with an empty (not null) stack
// trace: what a function said about itself, or what the Runtime API side
// answers. To fail an init or an invocation in the runtime's own words,
// use Errorf.
func NewError(typ, msg string) *Error {
	return &Error{Type: typ, Message: msg, StackTrace: []string{}}
}

// Errorf is a failure of type typ in the runtime's own words. It returns
// error, not *Error, so that a nil check on the result never meets a typed
// nil (the Go FAQ's "Why is my nil error value not equal to nil?").
func Errorf(typ, format string, args ...any) error {
	e := NewError(typ, fmt.Sprintf(format, args...))
	e.ours = true
	return e
}

// TypeOf is err's Lambda error type, "" when err carries none.
func TypeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Type
	}
	return ""
}

// JSON encodes e; it cannot fail for this type.
func (e *Error) JSON() []byte {
	b, _ := json.Marshal(e)
	return b
}

// InvocationError is the error of one invocation, worded as Lambda words
// its own: "RequestId: <id> Error: <message>". The bootstrap loop (through
// InvocationBody) and the emulator word their invocation errors here, so
// the wording cannot drift.
func InvocationError(requestID, typ, format string, args ...any) *Error {
	return NewError(typ, "RequestId: "+requestID+" Error: "+fmt.Sprintf(format, args...))
}

// InvocationBody is the body posted for an invocation that failed with
// err: one made by Errorf in Lambda's words for the invocation, a final
// one as it is, and any other error as Runtime.Unknown in Lambda's words.
func InvocationBody(requestID string, err error) *Error {
	var e *Error
	switch {
	case !errors.As(err, &e):
		return InvocationError(requestID, ErrTypeUnknown, "%s", err.Error())
	case e.ours:
		return InvocationError(requestID, e.Type, "%s", e.Message)
	}
	return e
}

// InitBody is the body posted for a failed init: err's own type and
// message (an init has no request id), typ for an error that has no type.
func InitBody(err error, typ string) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return NewError(typ, err.Error())
}

// TimedOut is the failure of an invocation that ran for its whole budget,
// in the words of Lambda's timeout error: "Task timed out after 3.00
// seconds".
func TimedOut(budget time.Duration) error {
	return Errorf(ErrTypeTimeout, "Task timed out after %.2f seconds", budget.Seconds())
}

// Timeout is the body of Lambda's timeout error for the invocation
// requestID, as the emulator posts it.
func Timeout(requestID string, budget time.Duration) *Error {
	return InvocationBody(requestID, TimedOut(budget))
}

// ResponseTooLarge is the error for a response over MaxResponse; n is its
// size, or a lower bound when the rest was discarded. The wording is RIE's
// (internal/lambda/interop/model.go, ErrorResponseTooLarge), which has no
// request id: the body is final.
func ResponseTooLarge(n int64) *Error { return responseOver(n, MaxResponse) }

// StreamedResponseTooLarge is the same error for a streamed response over
// MaxStreamedPayload.
func StreamedResponseTooLarge(n int64) *Error { return responseOver(n, MaxStreamedPayload) }

func responseOver(n, limit int64) *Error {
	return NewError(ErrTypeResponseTooBig, fmt.Sprintf(
		"Response payload size (%d bytes) exceeded maximum allowed payload size (%d bytes).", n, limit))
}
