package emulator

// POST /extension/init/error and /extension/exit/error.

import (
	"io"
	"net/http"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// serveExtensionError serves /extension/init/error and /extension/exit/error.
// An init error fails the environment's init, as a runtime's does.
func (e *Emulator) serveExtensionError(init bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		x := e.extensionFor(w, r)
		if x == nil {
			return
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, api.MaxResponse))
		reported := reportedError(r.Header.Get(api.HeaderExtensionErrorType), body)
		e.mu.Lock()
		if init {
			e.initErr = api.NewError(ErrTypeExtInitError, "extension "+x.name+" failed to initialize: "+reported.Type+": "+reported.Message)
		} else {
			x.exitErr = reported
		}
		e.mu.Unlock()
		e.cfg.Log.Warn("extension error", "name", x.name, "init", init, "type", reported.Type, "msg", reported.Message)
		renderAccepted(w)
	}
}
