package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// The Extensions API, as Lambda serves it beside the Runtime API: external
// extensions register during init (before the runtime starts), then park
// on /extension/event/next and receive INVOKE and SHUTDOWN events if they
// subscribed to them. Error types and status codes are those of Lambda's
// RAPID (the Runtime Interface Emulator's source).

// maxExtensions is Lambda's limit on registered extensions.
const maxExtensions = 10

type extension struct {
	id       string
	name     string
	invoke   bool
	shutdown bool
	ready    bool                    // has called /event/next at least once
	shutSent bool                    // SHUTDOWN goes out once
	events   chan api.ExtensionEvent // buffered; INVOKE events are dropped if it never reads
	gone     chan struct{}           // closed when its execution environment ends
	exitErr  *api.Error
}

// ExtensionRecord is what the emulator knows about one registered extension.
type ExtensionRecord struct {
	Name      string
	Events    []string
	Ready     bool
	ExitError *api.Error
}

// Extensions lists the extensions registered in the current environment.
func (e *Emulator) Extensions() []ExtensionRecord {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]ExtensionRecord, 0, len(e.exts))
	for _, x := range e.extOrder {
		r := ExtensionRecord{Name: x.name, Ready: x.ready, ExitError: x.exitErr}
		if x.invoke {
			r.Events = append(r.Events, api.ExtensionEventInvoke)
		}
		if x.shutdown {
			r.Events = append(r.Events, api.ExtensionEventShutdown)
		}
		out = append(out, r)
	}
	return out
}

// resetExtensionsLocked ends the previous environment's extensions; the
// caller holds e.mu.
func (e *Emulator) resetExtensionsLocked() {
	for _, x := range e.exts {
		close(x.gone)
	}
	e.exts, e.extOrder = map[string]*extension{}, nil
	e.extChanged()
}

// extChanged wakes WaitExtensions; the caller holds e.mu.
func (e *Emulator) extChanged() {
	if e.extNotify != nil {
		close(e.extNotify)
	}
	e.extNotify = make(chan struct{})
}

// WaitExtensions blocks until n extensions have registered in the current
// environment, or ctx ends. Lambda starts the runtime only after every
// external extension has registered; the sandbox does the same.
func (e *Emulator) WaitExtensions(ctx context.Context, n int) error {
	for {
		e.mu.Lock()
		have, changed := len(e.exts), e.extNotify
		e.mu.Unlock()
		if have >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("%d of %d extensions registered: %w", have, n, ctx.Err())
		}
	}
}

// Shutdown sends SHUTDOWN to the extensions that subscribed to it, as
// Lambda does when it ends an execution environment.
func (e *Emulator) Shutdown(reason string, deadline time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, x := range e.extOrder {
		if x.shutdown && !x.shutSent {
			x.shutSent = true
			select {
			case x.events <- api.ExtensionEvent{EventType: api.ExtensionEventShutdown, ShutdownReason: reason, DeadlineMs: deadline.UnixMilli()}:
			default:
			}
		}
	}
}

// notifyInvokeLocked sends INVOKE to the subscribed extensions; the caller
// holds e.mu.
func (e *Emulator) notifyInvokeLocked(inv *invocation, trace string) {
	for _, x := range e.extOrder {
		if !x.invoke {
			continue
		}
		ev := api.ExtensionEvent{EventType: api.ExtensionEventInvoke, DeadlineMs: inv.deadline.UnixMilli(),
			RequestID: inv.id, InvokedFunctionArn: e.FunctionARN()}
		ev.Tracing = &struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		}{"X-Amzn-Trace-Id", trace}
		select {
		case x.events <- ev:
		default:
		}
	}
}

func (e *Emulator) serveExtensionRegister(w http.ResponseWriter, r *http.Request) {
	name := r.Header.Get(api.HeaderExtensionName)
	if name == "" {
		renderError(w, http.StatusForbidden, "Extension.InvalidExtensionName", "Empty extension name")
		return
	}
	var req struct {
		Events            []string `json:"events"`
		ConfigurationKeys []string `json:"configurationKeys"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err := json.Unmarshal(body, &req); err != nil {
		renderError(w, http.StatusForbidden, "InvalidRequestFormat", err.Error())
		return
	}
	if len(req.ConfigurationKeys) != 0 {
		renderError(w, http.StatusForbidden, "InvalidRequestFormat", "configurationKeys are deprecated; use environment variables instead")
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
			renderError(w, http.StatusForbidden, "Extension.InvalidEventType", ev+": not an event external extensions can subscribe to (INVOKE, SHUTDOWN)")
			return
		}
	}

	e.mu.Lock()
	var refusal, msg string
	switch {
	case e.served:
		refusal, msg = "Extension.RegistrationClosed", "Extension registration closed already"
	case len(e.exts) >= maxExtensions:
		refusal, msg = "Extension.TooManyExtensions", fmt.Sprintf("Extension limit (%d) reached", maxExtensions)
	default:
		for _, other := range e.exts {
			if other.name == name {
				refusal, msg = "Extension.InvalidExtensionState", "Extension with this name already registered"
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

// extensionFor checks the Lambda-Extension-Identifier header as Lambda
// does: missing, malformed and unknown identifiers are 403s.
func (e *Emulator) extensionFor(w http.ResponseWriter, r *http.Request) *extension {
	id := r.Header.Get(api.HeaderExtensionID)
	if id == "" {
		renderError(w, http.StatusForbidden, "Extension.MissingExtensionIdentifier", "Missing Lambda-Extension-Identifier header")
		return nil
	}
	if _, err := uuid.Parse(id); err != nil {
		renderError(w, http.StatusForbidden, "Extension.InvalidExtensionIdentifier", "Invalid Lambda-Extension-Identifier")
		return nil
	}
	e.mu.Lock()
	x := e.exts[id]
	e.mu.Unlock()
	if x == nil {
		renderError(w, http.StatusForbidden, "Extension.UnknownExtensionIdentifier", "Unknown extension "+id)
		return nil
	}
	return x
}

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
			e.initErr = api.NewError("Extension.InitError", "extension "+x.name+" failed to initialize: "+reported.Type+": "+reported.Message)
		} else {
			x.exitErr = reported
		}
		e.mu.Unlock()
		e.cfg.Log.Warn("extension error", "name", x.name, "init", init, "type", reported.Type, "msg", reported.Message)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"status":"OK"}`+"\n")
	}
}
