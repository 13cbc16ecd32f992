package emulator

// POST /runtime/init/error: the runtime failed to initialise; queued
// invocations get this error when it exits.

import (
	"io"
	"net/http"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

func (e *Emulator) serveInitError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, api.MaxResponse))
	ae := reportedError(r.Header.Get(api.HeaderErrorType), body)
	e.mu.Lock()
	e.initErr = ae
	e.mu.Unlock()
	e.cfg.Log.Warn("init error", "type", ae.Type, "msg", ae.Message)
	renderAccepted(w)
}
