package emulator

// What the routes that take a runtime's post for an invocation
// (/response, /error) share: finding it, reading the body within
// Lambda's limit, and ending it with the post's outcome.

import (
	"fmt"
	"io"
	"net/http"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// lookup finds a delivered invocation for a post, or answers as Lambda does:
// 400 InvalidRequestID for an id it never handed out, 403
// InvalidStateTransition for one already answered, 410 Gone when the post
// echoes an invocation id other than the one of the invocation that holds
// the request id now (a late answer from an earlier invocation that timed
// out, whose id was reused). A post without the header is taken as before:
// Lambda skips the check for runtimes that do not echo it.
func (e *Emulator) lookup(w http.ResponseWriter, r *http.Request) *invocation {
	id := r.PathValue("id")
	e.mu.Lock()
	defer e.mu.Unlock()
	inv, ok := e.byID[id]
	if !ok {
		e.observe(Event{Kind: EventRefused, RequestID: id})
		if e.ended.has(id) {
			renderError(w, http.StatusForbidden, ErrTypeInvalidStateTransition, "Invocation "+id+" is already complete")
			return nil
		}
		renderError(w, http.StatusBadRequest, ErrTypeInvalidRequestID, "Invalid request ID: "+id)
		return nil
	}
	if nonce := r.Header.Get(api.HeaderInvocationID); nonce != "" && nonce != inv.nonce {
		// Told as EventGone, not against the invocation that holds the id
		// now. The body is drained first so that the runtime reads the
		// answer rather than a reset connection.
		e.mu.Unlock()
		_, _ = io.Copy(io.Discard, r.Body)
		e.mu.Lock()
		e.observe(Event{Kind: EventGone, RequestID: id})
		renderError(w, api.StatusGone, ErrTypeInvokeTimeout, "Invocation "+nonce+" of request "+id+" is gone: it timed out")
		return nil
	}
	if inv.state != delivered {
		e.observe(Event{Kind: EventRefused, RequestID: id})
		renderError(w, http.StatusForbidden, ErrTypeInvalidStateTransition, "Invocation "+id+" was not handed out by /next")
		return nil
	}
	return inv
}

func (e *Emulator) refuse(inv *invocation, w http.ResponseWriter, status int, typ, msg string) {
	e.mu.Lock()
	e.observe(Event{Kind: EventRefused, RequestID: inv.id})
	e.mu.Unlock()
	renderError(w, status, typ, msg)
}

func (e *Emulator) accept(inv *invocation, w http.ResponseWriter, res *Result) {
	if !e.complete(inv, w, res, true) {
		return
	}
	renderAccepted(w)
}

// complete tells the observer of the runtime's post (accepted or refused)
// and ends inv with res. It reports false, having answered 403, when inv
// had already timed out while the post was in flight, as Lambda refuses it.
func (e *Emulator) complete(inv *invocation, w http.ResponseWriter, res *Result, accepted bool) bool {
	kind := EventRefused
	if accepted {
		kind = EventAccepted
	}
	e.mu.Lock()
	e.observe(Event{Kind: kind, RequestID: inv.id})
	e.mu.Unlock()
	if !e.finish(inv, res) {
		renderError(w, http.StatusForbidden, ErrTypeInvalidStateTransition, "Invocation "+inv.id+" already timed out")
		return false
	}
	return true
}

// readPost reads a buffered /response or /error body. A body that broke
// off is refused; one over Lambda's limit ends inv (tooLarge). ok is false
// when w has been answered.
func (e *Emulator) readPost(inv *invocation, w http.ResponseWriter, r *http.Request) (body []byte, ok bool) {
	body, n, err := readBody(r, api.MaxResponse)
	switch {
	case err != nil:
		e.refuse(inv, w, http.StatusBadRequest, ErrTypeTruncatedHTTPRequest, "reading the body: "+err.Error())
	case body == nil && n > api.MaxResponse:
		e.tooLarge(inv, w, api.ResponseTooLarge(n), api.MaxResponse, false)
	default:
		return body, true
	}
	return nil, false
}

// readBody reads a posted body. One over limit is read on to its end
// (counted, not kept) so that the runtime gets an answer rather than a
// reset connection, and its full size is returned with a nil body: RIE
// also reads it all before judging (internal/lambda/rapidcore/server.go,
// SendResponse).
func readBody(r *http.Request, limit int64) (body []byte, size int64, err error) {
	body, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
	size = int64(len(body))
	if err != nil || size <= limit {
		return body, size, err
	}
	rest, err := io.Copy(io.Discard, r.Body)
	return nil, size + rest, err
}

// tooLarge ends inv at once with Function.ResponseSizeTooLarge and answers
// the runtime 413 with RIE's error body, as RIE does
// (internal/lambda/rapi/handler/invocationresponse.go, ErrorResponseTooLarge;
// rapi/rendering/render_error.go, RenderRequestEntityTooLarge). Waiting
// for the runtime to post an error instead would leave the invocation
// open until its timeout when the runtime does not (aws-lambda-go exits).
func (e *Emulator) tooLarge(inv *invocation, w http.ResponseWriter, ae *api.Error, limit int64, streamed bool) {
	res := errResult(inv.id, OutcomeError, ae)
	res.Streamed = streamed
	if !e.complete(inv, w, res, false) {
		return
	}
	renderError(w, http.StatusRequestEntityTooLarge, ErrTypeRequestEntityTooLarge,
		fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", limit))
}
