package emulator

// Event is one step in an invocation's life, told to Config.Observe as it
// happens. The emulator keeps no record of its own beyond a bounded ring
// of ended ids; a test that wants to prove each invocation got exactly
// one outcome keeps a ledger from these events (package emulatortest).
type Event struct {
	Kind      EventKind
	RequestID string
	// Outcome and Platform are set for EventEnded: how it ended, and
	// whether the emulator decided it (init error, runtime exit, timeout,
	// a response over the limit) rather than a runtime's post. Outcome is
	// empty when the invoker went away first.
	Outcome  Outcome
	Platform bool
	TraceID  string // set for EventDelivered
}

// EventKind names the steps.
type EventKind int

const (
	EventQueued   EventKind = iota // accepted for invocation
	EventAccepted                  // a runtime's outcome post answered 202
	EventRefused                   // a runtime's post for it answered 4xx
	EventEnded                     // it ended (once)
	// EventGone: a post echoed an invocation id that is not the one of
	// the invocation holding RequestID now (answered 410). It belongs to
	// an invocation that has ended, so no record counts it.
	EventGone
	EventDelivered // /next handed it to the runtime
	EventReady     // a new runtime asked for its first event (no RequestID): its init is done
	EventRestore   // SnapStart: restore/next was answered (no RequestID): the restore phase begins
)

// observe tells Config.Observe, if set. Callers may hold e.mu: the
// observer must not call back into the emulator.
func (e *Emulator) observe(ev Event) {
	if e.cfg.Observe != nil {
		e.cfg.Observe(ev)
	}
}
