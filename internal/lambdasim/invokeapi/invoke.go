package invokeapi

import (
	"encoding/base64"
	"errors"
	"net/http"

	"github.com/google/uuid"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// serveInvoke is Invoke: POST /2015-03-31/functions/{name}/invocations
// (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
//
//   - RequestResponse: 200 with the function's response, or its error JSON
//     and X-Amz-Function-Error: Unhandled; X-Amz-Executed-Version; with
//     X-Amz-Log-Type: Tail, the last 4 KB of its log in X-Amz-Log-Result.
//     A streamed response is forwarded as its chunks arrive.
//   - Event: 202 at once; the event is queued (async.go).
//   - DryRun: 204; nothing runs.
//
// Refused before any function sees it: an unknown function (404), an
// invocation type Lambda does not have (400), a payload over the type's
// limit (413) or that is not JSON (400).
func (a *API) serveInvoke(w http.ResponseWriter, r *http.Request) {
	req, ok := a.accept(w, r, RequestResponse, Event, DryRun)
	if !ok {
		return
	}
	f, payload, opts := req.f, req.payload, req.opts
	if req.typ == Event {
		if ref := f.async.enqueue(payload, opts); ref != nil {
			renderServiceError(w, ref.Status, ref.Type, ref.Message)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		return
	}
	opts.LogTail = r.Header.Get(headerLogType) == "Tail"
	sw := &streamWriter{w: w, before: func(h http.Header) { h.Set(headerExecutedVersion, latest) }}
	opts.Stream = sw
	res, err := f.Invoker.Invoke(r.Context(), payload, opts)
	if errors.Is(err, emulator.ErrRequestIDInUse) {
		renderServiceError(w, http.StatusConflict, ErrResourceConflict, opts.RequestID+": "+err.Error())
		return
	}
	if err != nil {
		if !sw.started {
			renderServiceError(w, http.StatusInternalServerError, ErrService, err.Error())
		}
		return
	}
	if res.Streamed && sw.started {
		if res.Failed() {
			w.Header().Set(http.TrailerPrefix+headerFunctionError, emulator.ErrTypeUnhandled)
			w.Header().Set(http.TrailerPrefix+"Lambda-Runtime-Function-Error-Type", res.ErrorType)
		}
		return
	}
	h := w.Header()
	h.Set(headerExecutedVersion, latest)
	if res.Failed() {
		h.Set(headerFunctionError, emulator.ErrTypeUnhandled)
	}
	if opts.LogTail {
		h.Set(headerLogResult, base64.StdEncoding.EncodeToString(res.LogTail))
	}
	if res.ContentType != "" {
		h.Set("Content-Type", res.ContentType)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(res.Body)
}

// invokeOptions reads the invocation context from the request headers:
// X-Amz-Client-Context (base64 JSON), X-Amz-Tenant-Id, X-Amzn-Trace-Id,
// and X-Amzn-RequestId, with which a caller chooses the request id (this
// emulator's, not Lambda's: a caller reusing one, as an upstream retry
// does, is how the runtime's invocation-id check is exercised).
func invokeOptions(w http.ResponseWriter, r *http.Request) (emulator.InvokeOptions, bool) {
	opts := emulator.InvokeOptions{TenantID: r.Header.Get("X-Amz-Tenant-Id"), TraceID: r.Header.Get("X-Amzn-Trace-Id"),
		RequestID: r.Header.Get(headerRequestID)}
	if opts.RequestID != "" && !api.ValidRequestID(opts.RequestID) {
		renderServiceError(w, http.StatusBadRequest, ErrInvalidRequestContent, headerRequestID+" must be a token of letters, digits, '-', '_' and '.', up to 128 bytes")
		return opts, false
	}
	if cc := r.Header.Get(headerClientContext); cc != "" {
		dec, err := base64.StdEncoding.DecodeString(cc)
		if err != nil {
			renderServiceError(w, http.StatusBadRequest, ErrInvalidRequestContent, "X-Amz-Client-Context must be base64-encoded JSON")
			return opts, false
		}
		opts.ClientContext = string(dec)
	}
	return opts, true
}

// streamWriter sends the 200 header with the first streamed chunk and
// flushes each chunk to the client at once.
type streamWriter struct {
	w       http.ResponseWriter
	before  func(http.Header) // sets headers before the status goes out
	started bool
}

func (s *streamWriter) Write(p []byte) (int, error) {
	if !s.started {
		s.started = true
		if s.before != nil {
			s.before(s.w.Header())
		}
		s.w.WriteHeader(http.StatusOK)
	}
	return s.w.Write(p)
}

func (s *streamWriter) Flush() {
	if f, ok := s.w.(http.Flusher); ok {
		f.Flush()
	}
}

// requestID gives opts a request id unless the caller chose one.
func requestID(opts *emulator.InvokeOptions) string {
	if opts.RequestID == "" {
		opts.RequestID = uuid.NewString()
	}
	return opts.RequestID
}
