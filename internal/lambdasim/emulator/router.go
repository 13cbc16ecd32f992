package emulator

import (
	"net/http"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/telemetry"
	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// Handler serves the Runtime API and the Extensions API (the Invoke API
// in front of them is package invokeapi). It is the table of contents: one file per route, named after
// it, as RIE's internal/lambda/rapi/router.go lists rapi/handler/.
func (e *Emulator) Handler() http.Handler {
	mux := http.NewServeMux()
	// Runtime API (invocation_next.go, invocation_response.go,
	// invocation_error.go, init_error.go).
	mux.HandleFunc("GET "+api.PathNext, e.serveNext)
	mux.HandleFunc("POST "+api.PathInvoke+"{id}/response", e.serveResponse)
	mux.HandleFunc("POST "+api.PathInvoke+"{id}/error", e.serveError)
	mux.HandleFunc("POST "+api.PathInitError, e.serveInitError)
	// SnapStart (restore.go).
	mux.HandleFunc("GET "+api.PathRestoreNext, e.serveRestoreNext)
	mux.HandleFunc("POST "+api.PathRestoreError, e.serveRestoreError)
	// Extensions API (extension_register.go, extension_next.go,
	// extension_error.go).
	mux.HandleFunc("POST "+api.PathExtensionRegister, e.serveExtensionRegister)
	mux.HandleFunc("GET "+api.PathExtensionNext, e.serveExtensionNext)
	mux.HandleFunc("POST "+api.PathExtensionInitError, e.serveExtensionError(true))
	mux.HandleFunc("POST "+api.PathExtensionExitError, e.serveExtensionError(false))
	// Telemetry API and Logs API subscriptions (telemetry_subscribe.go).
	mux.HandleFunc("PUT "+telemetry.PathTelemetry, e.serveSubscribe(telemetry.PathTelemetry))
	mux.HandleFunc("PUT "+telemetry.PathLogs, e.serveSubscribe(telemetry.PathLogs))
	return mux
}
