// Package client is the runtime side of the Lambda Runtime API.
//
// We write our own instead of using aws-lambda-go's lambda.Start loop:
// that loop hosts a Go handler compiled into the binary, cannot send the
// Lambda-Runtime-Function-Error-Type header or a chosen content type, and
// has no streaming response. This client is deliberately small: one
// kept-alive connection per loop, a reused payload buffer, no retries hidden
// from the caller.
package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// Client talks to one Runtime API endpoint. A Client is used by one loop at
// a time: Next reuses its payload buffer, so an Invocation's Payload is valid
// until the next call to Next.
type Client struct {
	base string
	http *http.Client
	buf  bytes.Buffer
}

// New returns a client for host:port (the value of AWS_LAMBDA_RUNTIME_API).
func New(endpoint string) *Client {
	tr := &http.Transport{
		Proxy:               nil, // the Runtime API is local; never proxy it
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        1,
		MaxIdleConnsPerHost: 1,
		DisableCompression:  true,
		IdleConnTimeout:     0, // the connection lives as long as the sandbox
	}
	return &Client{base: "http://" + endpoint, http: &http.Client{Transport: tr}}
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

func (e *StatusError) Error() string {
	return fmt.Sprintf("runtime API refused %s: HTTP %d: %s", e.Op, e.Status, strings.TrimSpace(e.Body))
}

// Next blocks until Lambda hands out the next invocation. It has no timeout:
// the sandbox may be frozen between invocations.
func (c *Client) Next(ctx context.Context) (*api.Invocation, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+api.PathNext, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &ConnError{err}
	}
	defer resp.Body.Close()
	c.buf.Reset()
	if _, err := c.buf.ReadFrom(io.LimitReader(resp.Body, api.MaxPayload+1)); err != nil {
		return nil, &ConnError{fmt.Errorf("reading event: %w", err)}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &StatusError{Op: "next", Status: resp.StatusCode, Body: c.buf.String()}
	}
	h := resp.Header
	inv := &api.Invocation{
		RequestID:       h.Get(api.HeaderRequestID),
		FunctionARN:     h.Get(api.HeaderFunctionARN),
		TraceID:         h.Get(api.HeaderTraceID),
		ClientContext:   h.Get(api.HeaderClientContext),
		CognitoIdentity: h.Get(api.HeaderCognitoIdentity),
		TenantID:        h.Get(api.HeaderTenantID),
		Payload:         c.buf.Bytes(),
	}
	if inv.RequestID == "" {
		return nil, &StatusError{Op: "next", Status: resp.StatusCode, Body: "missing " + api.HeaderRequestID + " header"}
	}
	if v := h.Get(api.HeaderDeadlineMs); v != "" {
		if inv.DeadlineMs, err = api.ParseDeadline(v); err != nil {
			return nil, &StatusError{Op: "next", Status: resp.StatusCode, Body: "bad " + api.HeaderDeadlineMs + ": " + v}
		}
	}
	return inv, nil
}

// Respond posts a buffered response and expects 202 Accepted.
func (c *Client) Respond(ctx context.Context, requestID string, body []byte, contentType string) error {
	if contentType == "" {
		contentType = "application/json"
	}
	return c.post(ctx, "response", api.ResponsePath(requestID), bytes.NewReader(body), int64(len(body)), http.Header{"Content-Type": {contentType}})
}

// Fail posts an invocation error with its type in the
// Lambda-Runtime-Function-Error-Type header, which aws-lambda-go omits.
func (c *Client) Fail(ctx context.Context, requestID string, e *api.Error) error {
	body := e.JSON()
	return c.post(ctx, "error", api.ErrorPath(requestID), bytes.NewReader(body), int64(len(body)), errorHeader(e.Type))
}

// InitError reports a failed init; the caller exits afterwards.
func (c *Client) InitError(ctx context.Context, e *api.Error) error {
	body := e.JSON()
	return c.post(ctx, "init error", api.PathInitError, bytes.NewReader(body), int64(len(body)), errorHeader(e.Type))
}

func errorHeader(typ string) http.Header {
	return http.Header{"Content-Type": {api.ContentTypeError}, api.HeaderErrorType: {typ}}
}

// StreamError is returned by a stream's Read to end a streamed response
// with an error reported in the trailers.
type StreamError = api.Error

// RespondStream posts a streamed response: chunked transfer encoding,
// Lambda-Runtime-Function-Response-Mode: streaming, bytes sent as body
// produces them. An error from body after the first byte is reported in the
// Lambda-Runtime-Function-Error-Type/-Body trailers, as Lambda expects.
func (c *Client) RespondStream(ctx context.Context, requestID, contentType string, body io.Reader) error {
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	pr, pw := io.Pipe()
	trailer := http.Header{api.HeaderErrorType: nil, api.HeaderErrorBody: nil}
	go func() {
		_, err := copyFlushing(pw, body)
		if err != nil {
			var fe *api.Error
			if !errors.As(err, &fe) {
				fe = api.NewError(api.ErrTypeTruncated, err.Error())
			}
			trailer.Set(api.HeaderErrorType, fe.Type)
			trailer.Set(api.HeaderErrorBody, base64.StdEncoding.EncodeToString(fe.JSON()))
		}
		pw.Close()
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+api.ResponsePath(requestID), pr)
	if err != nil {
		return err
	}
	req.ContentLength = -1 // chunked
	req.Header.Set("Content-Type", contentType)
	req.Header.Set(api.HeaderResponseMode, api.ResponseModeStream)
	req.Trailer = trailer
	return c.do(req, "streamed response")
}

// copyFlushing copies without buffering beyond one read, so every chunk the
// function writes is sent at once.
func copyFlushing(w io.Writer, r io.Reader) (int64, error) {
	buf := make([]byte, 32*1024)
	var n int64
	for {
		k, err := r.Read(buf)
		if k > 0 {
			if _, werr := w.Write(buf[:k]); werr != nil {
				return n, werr
			}
			n += int64(k)
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

func (c *Client) post(ctx context.Context, op, path string, body io.Reader, n int64, h http.Header) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, body)
	if err != nil {
		return err
	}
	req.ContentLength = n
	req.Header = h
	return c.do(req, op)
}

func (c *Client) do(req *http.Request, op string) error {
	resp, err := c.http.Do(req)
	if err != nil {
		return &ConnError{err}
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusAccepted {
		_, _ = io.Copy(io.Discard, resp.Body) // keep the connection reusable
		return nil
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return &StatusError{Op: op, Status: resp.StatusCode, Body: string(msg)}
}
