package invokeapi

import "net/http"

// serveStreamInvoke is InvokeWithResponseStream (stream.go, in progress).
func (a *API) serveStreamInvoke(w http.ResponseWriter, r *http.Request) {
	f := a.lookup(w, r)
	if f == nil {
		return
	}
	renderServiceError(w, http.StatusNotImplemented, ErrService, "InvokeWithResponseStream is not served yet")
}
