// Package emulatortest keeps a ledger of an emulator's invocations for
// tests, the way net/http/httptest sits beside net/http: the emulator
// itself only tells (Config.Observe), so tests and runtime-init serve get
// the same answers from it.
package emulatortest

import (
	"fmt"
	"strings"
	"sync"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
)

// Record is one invocation in the ledger: a few words, no payload.
type Record struct {
	RequestID string
	Accepted  int // outcome posts answered 202
	Refused   int // posts answered 4xx (too large, wrong state)
	Done      bool
	Outcome   emulator.Outcome // empty when the invoker gave up first
	// Platform: the emulator decided the outcome (init error, runtime
	// exit, timeout, a response over the limit), not a runtime's post.
	Platform bool
}

// Ledger records every invocation it is told of. It grows with every
// invocation: for tests, not for a long-running serve.
type Ledger struct {
	mu    sync.Mutex
	order []*Record
	byID  map[string]*Record
}

// NewLedger returns an empty ledger; pass its Observe as Config.Observe
// (or sandbox.Options.Observe).
func NewLedger() *Ledger { return &Ledger{byID: map[string]*Record{}} }

// Observe takes one event. Posts for ids the ledger never saw queued are
// ignored, as there is no invocation to count them against.
func (l *Ledger) Observe(ev emulator.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ev.Kind == emulator.EventQueued {
		r := &Record{RequestID: ev.RequestID}
		l.order = append(l.order, r)
		l.byID[ev.RequestID] = r
		return
	}
	r := l.byID[ev.RequestID]
	if r == nil {
		return
	}
	switch ev.Kind {
	case emulator.EventAccepted:
		r.Accepted++
	case emulator.EventRefused:
		r.Refused++
	case emulator.EventEnded:
		r.Done, r.Outcome, r.Platform = true, ev.Outcome, ev.Platform
	}
}

// Records lists every invocation so far, in order.
func (l *Ledger) Records() []Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Record, len(l.order))
	for i, r := range l.order {
		out[i] = *r
	}
	return out
}

// CheckExactlyOnce returns an error naming every invocation that is still
// open, got more than one accepted outcome post, or got none although the
// runtime was alive to post one. Init failures and runtime deaths are
// answered by the platform; a timeout the runtime did not answer itself is
// a failure unless its id is in allowTimeout.
func (l *Ledger) CheckExactlyOnce(allowTimeout map[string]bool) error {
	var bad []string
	for _, r := range l.Records() {
		platform := r.Platform && (r.Outcome != emulator.OutcomeTimeout || allowTimeout[r.RequestID])
		switch {
		case !r.Done:
			bad = append(bad, r.RequestID+": never answered")
		case r.Accepted > 1:
			bad = append(bad, fmt.Sprintf("%s: %d accepted posts", r.RequestID, r.Accepted))
		case r.Accepted == 0 && !platform:
			bad = append(bad, fmt.Sprintf("%s: no post from the runtime (outcome %q)", r.RequestID, r.Outcome))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("invocations without exactly one outcome: %s", strings.Join(bad, "; "))
	}
	return nil
}
