package emulator

// GET /extension/event/next: an extension parks here for its next event.

import (
	"encoding/json"
	"net/http"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

func (e *Emulator) serveExtensionNext(w http.ResponseWriter, r *http.Request) {
	x := e.extensionFor(w, r)
	if x == nil {
		return
	}
	e.mu.Lock()
	x.ready = true
	e.mu.Unlock()
	select {
	case ev := <-x.events:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set(api.HeaderExtensionID, x.id)
		w.WriteHeader(http.StatusOK)
		_ = json.NewEncoder(w).Encode(ev)
	case <-x.gone:
	case <-r.Context().Done():
	}
}
