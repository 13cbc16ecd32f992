package emulator

// POST /runtime/invocation/{id}/error: the function failed; the type comes
// from Lambda-Runtime-Function-Error-Type or the body.

import (
	"net/http"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

func (e *Emulator) serveError(w http.ResponseWriter, r *http.Request) {
	inv := e.lookup(w, r)
	if inv == nil {
		return
	}
	if body, ok := e.readPost(inv, w, r); ok {
		typ := reportedError(r.Header.Get(api.HeaderErrorType), body).Type
		e.accept(inv, w, &Result{RequestID: inv.id, Outcome: OutcomeError, Body: body, ContentType: "application/json", ErrorType: typ})
	}
}
