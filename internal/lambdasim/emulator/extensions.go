package emulator

import (
	"context"
	"fmt"
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

// extensionFor checks the Lambda-Extension-Identifier header as Lambda
// does: missing, malformed and unknown identifiers are 403s.
func (e *Emulator) extensionFor(w http.ResponseWriter, r *http.Request) *extension {
	id := r.Header.Get(api.HeaderExtensionID)
	if id == "" {
		renderError(w, http.StatusForbidden, ErrTypeExtMissingIdentifier, "Missing Lambda-Extension-Identifier header")
		return nil
	}
	if _, err := uuid.Parse(id); err != nil {
		renderError(w, http.StatusForbidden, ErrTypeExtInvalidIdentifier, "Invalid Lambda-Extension-Identifier")
		return nil
	}
	e.mu.Lock()
	x := e.exts[id]
	e.mu.Unlock()
	if x == nil {
		renderError(w, http.StatusForbidden, ErrTypeExtUnknownIdentifier, "Unknown extension "+id)
		return nil
	}
	return x
}
