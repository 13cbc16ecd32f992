// Package client is the runtime side of the Lambda Runtime API.
//
// We write our own instead of using aws-lambda-go's lambda.Start loop:
// that loop hosts a Go handler compiled into the binary, cannot send the
// Lambda-Runtime-Function-Error-Type header or a chosen content type, and
// has no streaming response. This client is deliberately small: one
// kept-alive connection per loop, a reused payload buffer, no retries hidden
// from the caller.
//
// It speaks HTTP through runtime/h1, not net/http: the Runtime API is plain
// HTTP/1.1 on a local address, and net/http would link TLS, x509 and HTTP/2
// into the bootstrap — about 3 MB of its static binary — for nothing.
package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strings"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/h1"
)

// Client talks to one Runtime API endpoint. A Client is used by one loop at
// a time: Next reuses its payload buffer, so an Invocation's Payload is valid
// until the next call to Next.
type Client struct {
	h   h1.Client
	buf bytes.Buffer
	req h1.Request
	br  bytes.Reader
	hdr textproto.MIMEHeader
	val [4][1]string // backing for hdr's values: no allocation per post

	// NextSent, if set, is called when a GET /next is on the wire, before
	// Lambda answers it: the end of init as Lambda counts it.
	NextSent func()
}

// New returns a client for host:port (the value of AWS_LAMBDA_RUNTIME_API).
func New(endpoint string) *Client {
	return &Client{
		// One connection per loop; the sandbox may be frozen between
		// invocations, so no idle timeout.
		h:   h1.Client{Addr: endpoint, MaxIdle: 1, DialTimeout: 2 * time.Second},
		hdr: make(textproto.MIMEHeader, 4),
	}
}

// Connect sets up the connection that the next request uses, so that it
// can be made while the caller waits for something else.
func (c *Client) Connect(ctx context.Context) error {
	if err := c.h.Connect(ctx); err != nil {
		return &ConnError{err}
	}
	return nil
}

// ConnError marks a failure to reach the Runtime API at all (as opposed to a
// refusal with a status code). The loop retries those with backoff.
type ConnError struct{ Err error }

func (e *ConnError) Error() string { return "runtime API unreachable: " + e.Err.Error() }
func (e *ConnError) Unwrap() error { return e.Err }

// StatusError is a Runtime API answer other than the expected status.
type StatusError struct {
	Op     string
	Status int
	Body   string
}

// Gone reports a 410: the invocation the post was for is gone (timed
// out), so the answer is dropped; nothing is wrong with the runtime.
func (e *StatusError) Gone() bool { return e.Status == api.StatusGone }

func (e *StatusError) Error() string {
	return fmt.Sprintf("runtime API refused %s: HTTP %d: %s", e.Op, e.Status, strings.TrimSpace(e.Body))
}

// connErr classifies an h1 error: a request we refused to send is our own
// bug, anything else (dial, reset, malformed answer) means the Runtime API
// cannot be talked to.
func connErr(err error) error {
	if errors.Is(err, h1.ErrInvalidHeader) {
		return err
	}
	return &ConnError{err}
}

// Next blocks until Lambda hands out the next invocation. It has no timeout:
// the sandbox may be frozen between invocations.
func (c *Client) Next(ctx context.Context) (*api.Invocation, error) {
	c.req = h1.Request{Method: "GET", Path: api.PathNext, Sent: c.NextSent}
	resp, err := c.h.Do(ctx, &c.req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, connErr(err)
	}
	defer resp.Body.Close()
	c.buf.Reset()
	if _, err := c.buf.ReadFrom(io.LimitReader(resp.Body, api.MaxPayload+1)); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &ConnError{fmt.Errorf("reading event: %w", err)}
	}
	if resp.StatusCode != 200 {
		return nil, &StatusError{Op: "next", Status: resp.StatusCode, Body: c.buf.String()}
	}
	return parseInvocation(resp.Header, c.buf.Bytes())
}

// parseInvocation reads an invocation from /next's headers. The request id
// becomes part of a request path, so anything but a plain token is refused.
func parseInvocation(h textproto.MIMEHeader, payload []byte) (*api.Invocation, error) {
	inv := &api.Invocation{
		RequestID:       h.Get(api.HeaderRequestID),
		FunctionARN:     h.Get(api.HeaderFunctionARN),
		TraceID:         h.Get(api.HeaderTraceID),
		ClientContext:   h.Get(api.HeaderClientContext),
		CognitoIdentity: h.Get(api.HeaderCognitoIdentity),
		TenantID:        h.Get(api.HeaderTenantID),
		InvocationID:    h.Get(api.HeaderInvocationID),
		Payload:         payload,
		Received:        time.Now(),
	}
	if !api.ValidRequestID(inv.RequestID) {
		return nil, &StatusError{Op: "next", Status: 200, Body: fmt.Sprintf("missing or malformed %s header %q", api.HeaderRequestID, inv.RequestID)}
	}
	if !validInvocationID(inv.InvocationID) {
		// Echoing it could not be done safely (it goes back in a header);
		// without the echo Lambda skips its check, as with an older runtime.
		inv.MalformedInvocationID, inv.InvocationID = inv.InvocationID, ""
	}
	if v := h.Get(api.HeaderDeadlineMs); v != "" {
		var err error
		if inv.DeadlineMs, err = api.ParseDeadline(v); err != nil {
			return nil, &StatusError{Op: "next", Status: 200, Body: "bad " + api.HeaderDeadlineMs + ": " + v}
		}
	}
	return inv, nil
}

// validInvocationID accepts an empty id (none sent) and any header-safe
// token up to 256 bytes: visible ASCII, no spaces.
func validInvocationID(id string) bool {
	if len(id) > 256 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] >= 0x7f {
			return false
		}
	}
	return true
}

// header resets the reused header map to Content-Type plus, when set, the
// error type and the invocation id to echo.
func (c *Client) header(contentType, errorType, invocationID string) textproto.MIMEHeader {
	clear(c.hdr)
	c.val[0][0] = contentType
	c.hdr["Content-Type"] = c.val[0][:]
	if errorType != "" {
		c.val[1][0] = errorType
		c.hdr[api.HeaderErrorType] = c.val[1][:]
	}
	if invocationID != "" {
		c.val[3][0] = invocationID
		c.hdr[api.HeaderInvocationID] = c.val[3][:]
	}
	return c.hdr
}

// Respond posts inv's buffered response and expects 202 Accepted.
func (c *Client) Respond(ctx context.Context, inv *api.Invocation, body []byte, contentType string) error {
	if contentType == "" {
		contentType = "application/json"
	}
	return c.post(ctx, "response", api.ResponsePath(inv.RequestID), body, c.header(contentType, "", inv.InvocationID))
}

// Fail posts inv's error with its type in the
// Lambda-Runtime-Function-Error-Type header, which aws-lambda-go omits.
func (c *Client) Fail(ctx context.Context, inv *api.Invocation, e *api.Error) error {
	return c.post(ctx, "error", api.ErrorPath(inv.RequestID), e.JSON(), c.header(api.ContentTypeError, headerSafe(e.Type), inv.InvocationID))
}

// InitError reports a failed init; the caller exits afterwards.
func (c *Client) InitError(ctx context.Context, e *api.Error) error {
	return c.post(ctx, "init error", api.PathInitError, e.JSON(), c.header(api.ContentTypeError, headerSafe(e.Type), ""))
}

// RestoreNext tells Lambda that init and the before-checkpoint hooks are
// done, and blocks until the snapshot has been restored. Like Next it has
// no timeout: the snapshot may be restored days later.
func (c *Client) RestoreNext(ctx context.Context) error {
	c.req = h1.Request{Method: "GET", Path: api.PathRestoreNext}
	resp, err := c.h.Do(ctx, &c.req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return connErr(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != 200 {
		return &StatusError{Op: "restore next", Status: resp.StatusCode, Body: string(body)}
	}
	return nil
}

// RestoreError reports a failed restore (an after-restore hook failed);
// the caller exits afterwards.
func (c *Client) RestoreError(ctx context.Context, e *api.Error) error {
	return c.post(ctx, "restore error", api.PathRestoreError, e.JSON(), c.header(api.ContentTypeError, headerSafe(e.Type), ""))
}

// headerSafe drops an error type that cannot travel in a header (it may come
// from the function's output): the Runtime API then reads the type from the
// body's errorType, which still carries it.
func headerSafe(typ string) string {
	for i := 0; i < len(typ); i++ {
		if b := typ[i]; b < ' ' || b == 0x7f {
			return ""
		}
	}
	return typ
}

// StreamError is returned by a stream's Read to end a streamed response
// with an error reported in the trailers.
type StreamError = api.Error

// RespondStream posts a streamed response: chunked transfer encoding,
// Lambda-Runtime-Function-Response-Mode: streaming, bytes sent as body
// produces them (each Read becomes a chunk, flushed at once). An error from
// body is reported in the Lambda-Runtime-Function-Error-Type/-Body
// trailers, as Lambda expects.
func (c *Client) RespondStream(ctx context.Context, inv *api.Invocation, contentType string, body io.Reader) error {
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	h := c.header(contentType, "", inv.InvocationID)
	c.val[1][0] = api.ResponseModeStream
	h[api.HeaderResponseMode] = c.val[1][:]
	c.val[2][0] = api.HeaderErrorType + ", " + api.HeaderErrorBody
	h["Trailer"] = c.val[2][:]
	sr := &streamReader{r: body}
	c.req = h1.Request{Method: "POST", Path: api.ResponsePath(inv.RequestID), Header: h,
		Body: sr, ContentLength: -1, Trailer: sr.trailer}
	return c.do(ctx, "streamed response")
}

// streamReader ends the stream at the body's first error and keeps the
// error for the trailers.
type streamReader struct {
	r   io.Reader
	err error
}

func (s *streamReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
		err = io.EOF
	}
	return n, err
}

func (s *streamReader) trailer() textproto.MIMEHeader {
	if s.err == nil {
		return nil
	}
	var fe *api.Error
	if !errors.As(s.err, &fe) {
		fe = api.NewError(api.ErrTypeTruncated, s.err.Error())
	}
	typ := headerSafe(fe.Type)
	if typ == "" {
		typ = api.ErrTypeUnknown
	}
	return textproto.MIMEHeader{
		api.HeaderErrorType: {typ},
		api.HeaderErrorBody: {base64.StdEncoding.EncodeToString(fe.JSON())},
	}
}

func (c *Client) post(ctx context.Context, op, path string, body []byte, h textproto.MIMEHeader) error {
	c.br.Reset(body) // replayable: h1 may resend it on a fresh connection
	c.req = h1.Request{Method: "POST", Path: path, Header: h, Body: &c.br, ContentLength: int64(len(body))}
	return c.do(ctx, op)
}

func (c *Client) do(ctx context.Context, op string) error {
	resp, err := c.h.Do(ctx, &c.req)
	if err != nil {
		return connErr(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == 202 {
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return &ConnError{err}
		}
		return nil
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return &StatusError{Op: op, Status: resp.StatusCode, Body: string(msg)}
}
