package invokeapi

import (
	"io"
	"net/http"
	"slices"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
)

// request is an Invoke or InvokeWithResponseStream request that passed
// Lambda's checks and is to run.
type request struct {
	f       *function
	typ     string // the invocation type
	payload []byte
	opts    emulator.InvokeOptions
}

// accept checks a request as Lambda does before any function sees it: the
// function exists (404), the invocation type is one of types (400), the
// payload is within the type's limit (413) and JSON (400). It answers a
// DryRun itself (204). ok is false when w has been answered.
func (a *API) accept(w http.ResponseWriter, r *http.Request, types ...string) (req request, ok bool) {
	if req.f = a.lookup(w, r); req.f == nil {
		return req, false
	}
	req.typ = r.Header.Get(headerInvocationType)
	if req.typ == "" {
		req.typ = RequestResponse
	}
	if !slices.Contains(types, req.typ) {
		renderServiceError(w, http.StatusBadRequest, ErrInvalidParameter, "Unsupported invocation type: "+req.typ)
		return req, false
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, MaxSyncPayload+1))
	if err != nil {
		renderServiceError(w, http.StatusBadRequest, ErrInvalidRequestContent, err.Error())
		return req, false
	}
	if len(payload) > MaxSyncPayload {
		// Read on to the end: the message names the payload's size, as
		// Lambda's does, and the client gets an answer, not a reset.
		rest, _ := io.Copy(io.Discard, r.Body)
		ref := CheckSize(int64(len(payload))+rest, req.typ)
		renderServiceError(w, ref.Status, ref.Type, ref.Message)
		return req, false
	}
	if ref := CheckPayload(payload, req.typ); ref != nil {
		renderServiceError(w, ref.Status, ref.Type, ref.Message)
		return req, false
	}
	req.payload = payload
	if req.opts, ok = invokeOptions(w, r); !ok {
		return req, false
	}
	w.Header().Set(headerRequestID, requestID(&req.opts))
	if req.typ == DryRun {
		w.WriteHeader(http.StatusNoContent)
		return req, false
	}
	return req, true
}
