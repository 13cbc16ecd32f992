package emulator

// GET /runtime/invocation/next: hand the runtime its next event, with
// the invocation headers Lambda sets.

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

func (e *Emulator) serveNext(w http.ResponseWriter, r *http.Request) {
	// One invocation at a time per runtime (MaxConcurrency in Managed
	// Instances mode): a /next beyond that waits for one to end.
	e.mu.Lock()
	if !e.ready {
		e.ready = true
		e.observe(Event{Kind: EventReady})
	}
	e.mu.Unlock()
	select {
	case e.slots <- struct{}{}:
	case <-r.Context().Done():
		return
	}
	var inv *invocation
	var payload []byte
	for inv == nil {
		select {
		case inv = <-e.queue:
		case <-r.Context().Done():
			<-e.slots
			return // the runtime went away
		}
		e.mu.Lock()
		if inv.state != queued {
			inv = nil // its invoker gave up
		} else {
			payload = inv.payload
			inv.state = delivered
			inv.nonce = uuid.NewString()
			inv.delivered = time.Now()
			inv.deadline = inv.delivered.Add(e.cfg.Timeout)
			e.served = true
			if inv.opts.TraceID == "" {
				inv.opts.TraceID = newTraceID()
			}
			e.notifyInvokeLocked(inv, inv.opts.TraceID)
			e.observe(Event{Kind: EventDelivered, RequestID: inv.id, TraceID: inv.opts.TraceID})
		}
		e.mu.Unlock()
	}
	h := w.Header()
	h.Set(api.HeaderRequestID, inv.id)
	h.Set(api.HeaderInvocationID, inv.nonce)
	h.Set(api.HeaderDeadlineMs, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set(api.HeaderFunctionARN, e.FunctionARN())
	h.Set(api.HeaderTraceID, inv.opts.TraceID)
	setIf(h, api.HeaderClientContext, inv.opts.ClientContext)
	setIf(h, api.HeaderCognitoIdentity, inv.opts.CognitoIdentity)
	setIf(h, api.HeaderTenantID, inv.opts.TenantID)
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(payload)
	close(inv.started)
}

func setIf(h http.Header, k, v string) {
	if v != "" {
		h.Set(k, v)
	}
}

// newTraceID makes an X-Ray trace header like Lambda's.
func newTraceID() string {
	id := strings.ReplaceAll(uuid.NewString(), "-", "")
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), id[:24], id[16:32])
}
