package bootstrap

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// process is what Main sets up in the process itself: SIGTERM handling.
// Run and RunExtension, called in process by tests, get none (nil): their
// process is not theirs to change, and their ctx is their SIGTERM.
//
// os/signal's set-up starts two threads of its own, a tenth of the CPU
// time to the first /next (OPTIMIZATION.md, "Cold start"), and nothing
// before the first invocation needs it: it is made once the first
// GET /next is on the wire, where Lambda's init ends — or before a web app
// is started (http mode), so that an app starting up is stopped gracefully.
// Until then a SIGTERM ends the process the default way, with nothing in
// flight to answer (and Lambda sends none during init).
type process struct {
	cancel  context.CancelFunc
	signals sync.Once
}

// watchSignals makes SIGTERM (or ^C) cancel the runtime's context, once.
func (p *process) watchSignals() {
	if p == nil {
		return
	}
	p.signals.Do(func() { go cancelOnSignal(p.cancel) })
}

func cancelOnSignal(cancel context.CancelFunc) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, os.Interrupt)
	<-c
	cancel()
}
