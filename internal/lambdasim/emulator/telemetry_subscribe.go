package emulator

// PUT /2022-07-01/telemetry (Telemetry API) and PUT /2020-08-15/logs (Logs
// API): a registered extension subscribes to the environment's events.
// Without a Config.Telemetry the answer is RIE's stub's: 202 and a
// non-committal body, so that extensions run on (RIE's
// rapi/handler/runtimelogs_stub.go).

import (
	"io"
	"net/http"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/telemetry"
	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// Subscriber takes subscriptions (package telemetry's Hub).
type Subscriber interface {
	Subscribe(api, extension string, body []byte) (status int, answer []byte)
}

func (e *Emulator) serveSubscribe(path string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		x := e.extensionFor(w, r)
		if x == nil {
			return
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if e.cfg.Telemetry == nil {
			typ, msg := ErrTypeTelemetryNotSupported, "Telemetry API is not supported"
			if path == telemetry.PathLogs {
				typ, msg = ErrTypeLogsNotSupported, "Logs API is not supported"
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusAccepted)
			_, _ = w.Write(api.NewError(typ, msg).JSON())
			return
		}
		status, answer := e.cfg.Telemetry.Subscribe(path, x.name, body)
		e.cfg.Log.Info("telemetry subscription", "extension", x.name, "api", path, "status", status)
		w.WriteHeader(status)
		_, _ = w.Write(answer)
	}
}
