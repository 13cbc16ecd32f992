package emulator

// POST /runtime/init/error: the runtime failed to initialise; queued
// invocations get this error when it exits.

import (
	"io"
	"net/http"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

func (e *Emulator) serveInitError(w http.ResponseWriter, r *http.Request) {
	e.takeInitError(w, r, "init error")
}

// takeInitError records a posted error as the environment's init error
// (/init/error, /restore/error) and answers 202.
func (e *Emulator) takeInitError(w http.ResponseWriter, r *http.Request, what string) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, api.MaxResponse))
	ae := reportedError(r.Header.Get(api.HeaderErrorType), body)
	e.mu.Lock()
	e.initErr = ae
	e.mu.Unlock()
	e.cfg.Log.Warn(what, "type", ae.Type, "msg", ae.Message)
	renderAccepted(w)
}
