package emulator

// PUT /2022-07-01/telemetry (Telemetry API) and PUT /2020-08-15/logs (Logs
// API): a registered extension subscribes to the environment's events.
// Without a Config.Telemetry the answer is RIE's stub's: 202 and a
// non-committal body, so that extensions run on (RIE's
// rapi/handler/runtimelogs_stub.go).

import (
	"io"
	"net/http"
)

// Subscriber takes subscriptions (package telemetry's Hub).
type Subscriber interface {
	Subscribe(api, extension string, body []byte) (status int, answer []byte)
}

func (e *Emulator) serveSubscribe(api string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		x := e.extensionFor(w, r)
		if x == nil {
			return
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if e.cfg.Telemetry == nil {
			w.WriteHeader(http.StatusAccepted)
			_, _ = io.WriteString(w, `{"errorMessage":"Telemetry API is not supported","errorType":"Telemetry.NotSupported"}`)
			return
		}
		status, answer := e.cfg.Telemetry.Subscribe(api, x.name, body)
		e.cfg.Log.Info("telemetry subscription", "extension", x.name, "api", api, "status", status)
		w.WriteHeader(status)
		_, _ = w.Write(answer)
	}
}
