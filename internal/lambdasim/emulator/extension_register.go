package emulator

// POST /extension/register: an external extension registers during init,
// for INVOKE and/or SHUTDOWN.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/google/uuid"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

func (e *Emulator) serveExtensionRegister(w http.ResponseWriter, r *http.Request) {
	name := r.Header.Get(api.HeaderExtensionName)
	if name == "" {
		renderError(w, http.StatusForbidden, ErrTypeExtInvalidName, "Empty extension name")
		return
	}
	var req struct {
		Events            []string `json:"events"`
		ConfigurationKeys []string `json:"configurationKeys"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err := json.Unmarshal(body, &req); err != nil {
		renderError(w, http.StatusForbidden, ErrTypeInvalidRequestFormat, err.Error())
		return
	}
	if len(req.ConfigurationKeys) != 0 {
		renderError(w, http.StatusForbidden, ErrTypeInvalidRequestFormat, "configurationKeys are deprecated; use environment variables instead")
		return
	}
	x := &extension{id: uuid.NewString(), name: name, events: make(chan api.ExtensionEvent, 64), gone: make(chan struct{})}
	for _, ev := range req.Events {
		switch ev {
		case api.ExtensionEventInvoke:
			x.invoke = true
		case api.ExtensionEventShutdown:
			x.shutdown = true
		default:
			renderError(w, http.StatusForbidden, ErrTypeExtInvalidEventType, ev+": not an event external extensions can subscribe to (INVOKE, SHUTDOWN)")
			return
		}
	}

	e.mu.Lock()
	var refusal, msg string
	switch {
	case e.served:
		refusal, msg = ErrTypeExtRegistrationClosed, "Extension registration closed already"
	case len(e.exts) >= maxExtensions:
		refusal, msg = ErrTypeExtTooMany, fmt.Sprintf("Extension limit (%d) reached", maxExtensions)
	default:
		for _, other := range e.exts {
			if other.name == name {
				refusal, msg = ErrTypeExtInvalidState, "Extension with this name already registered"
			}
		}
	}
	if refusal == "" {
		e.exts[x.id] = x
		e.extOrder = append(e.extOrder, x)
		e.extChanged()
	}
	e.mu.Unlock()
	if refusal != "" {
		renderError(w, http.StatusForbidden, refusal, msg)
		return
	}
	e.cfg.Log.Info("extension registered", "name", name, "events", req.Events)
	w.Header().Set(api.HeaderExtensionID, x.id)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"functionName": e.cfg.FunctionName, "functionVersion": "$LATEST", "handler": e.cfg.Handler, "accountId": e.cfg.AccountID,
	})
}
