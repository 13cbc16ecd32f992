package emulator

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// Invoker runs one invocation: an Emulator (one execution environment), or
// the sandbox's pool of them.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte, opts InvokeOptions) (*Result, error)
}

// InvokeHandler serves RIE's POST /2015-03-31/functions/function/invocations
// in front of inv: the response body as the function returned it; a
// function error is HTTP 200 with the error JSON and X-Amz-Function-Error:
// Unhandled, as Lambda's Invoke API answers. A streamed response is
// forwarded chunk by chunk.
func InvokeHandler(inv Invoker) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { serveInvoke(inv, w, r) })
}

// HeaderInvokeRequestID, on the invoke endpoint, chooses the invocation's
// request id (this emulator's, not RIE's): a caller reusing one, as an
// upstream retry does, is how the invocation-id check is exercised. A
// buffered answer carries the id in the same header, as Lambda's Invoke
// API answers.
const HeaderInvokeRequestID = "X-Amzn-RequestId"

func serveInvoke(inv Invoker, w http.ResponseWriter, r *http.Request) {
	payload, err := io.ReadAll(io.LimitReader(r.Body, api.MaxPayload+1))
	if err != nil {
		renderError(w, http.StatusBadRequest, ErrTypeInvalidRequestContent, err.Error())
		return
	}
	opts := InvokeOptions{TenantID: r.Header.Get("X-Amz-Tenant-Id"), TraceID: r.Header.Get("X-Amzn-Trace-Id"), RequestID: r.Header.Get(HeaderInvokeRequestID)}
	if opts.RequestID != "" && !api.ValidRequestID(opts.RequestID) {
		renderError(w, http.StatusBadRequest, ErrTypeInvalidRequestContent, HeaderInvokeRequestID+" must be a token of letters, digits, '-', '_' and '.', up to 128 bytes")
		return
	}
	if cc := r.Header.Get("X-Amz-Client-Context"); cc != "" {
		dec, err := base64.StdEncoding.DecodeString(cc)
		if err != nil {
			renderError(w, http.StatusBadRequest, ErrTypeInvalidRequestContent, "X-Amz-Client-Context must be base64-encoded JSON")
			return
		}
		opts.ClientContext = string(dec)
	}
	sw := &streamWriter{w: w}
	opts.Stream = sw
	res, err := inv.Invoke(r.Context(), payload, opts)
	switch {
	case errors.Is(err, ErrPayloadTooLarge):
		renderError(w, http.StatusRequestEntityTooLarge, ErrTypeRequestEntityTooLarge, err.Error())
		return
	case errors.Is(err, ErrRequestIDInUse):
		renderError(w, http.StatusConflict, ErrTypeResourceConflict, opts.RequestID+": "+err.Error())
		return
	case err != nil:
		if !sw.started {
			renderError(w, http.StatusInternalServerError, ErrTypeServiceException, err.Error())
		}
		return
	}
	if res.Streamed && sw.started {
		if res.Failed() {
			w.Header().Set(http.TrailerPrefix+"X-Amz-Function-Error", ErrTypeUnhandled)
			w.Header().Set(http.TrailerPrefix+api.HeaderErrorType, res.ErrorType)
		}
		return
	}
	if res.Failed() {
		w.Header().Set("X-Amz-Function-Error", ErrTypeUnhandled)
	}
	w.Header().Set(HeaderInvokeRequestID, res.RequestID)
	if res.ContentType != "" {
		w.Header().Set("Content-Type", res.ContentType)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(res.Body)
}

// streamWriter sends the 200 header with the first streamed chunk and
// flushes each chunk to the client at once.
type streamWriter struct {
	w       http.ResponseWriter
	started bool
}

func (s *streamWriter) Write(p []byte) (int, error) {
	if !s.started {
		s.started = true
		s.w.WriteHeader(http.StatusOK)
	}
	return s.w.Write(p)
}

func (s *streamWriter) Flush() {
	if f, ok := s.w.(http.Flusher); ok {
		f.Flush()
	}
}
