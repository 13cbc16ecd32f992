package emulator

// The invocation state machine: queued by Invoke, delivered by /next,
// done once (a runtime's post, a timeout, the runtime's exit, or the
// invoker going away). The routes move invocations through it; the
// sandbox tells it when runtimes start and end.

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// Invoke queues one event and waits for its outcome. A function failure is
// a Result with Failed() true, not an error; errors are the emulator's own.
func (e *Emulator) Invoke(ctx context.Context, payload []byte, opts InvokeOptions) (*Result, error) {
	if len(payload) > api.MaxPayload {
		return nil, ErrPayloadTooLarge
	}
	id := opts.RequestID
	if id == "" {
		id = uuid.NewString()
	}
	inv := &invocation{
		id: id, payload: payload, opts: opts,
		started: make(chan struct{}), result: make(chan *Result, 1),
	}
	for attempt := 0; ; attempt++ {
		if e.cfg.BeforeInvoke != nil {
			if err := e.cfg.BeforeInvoke(ctx); err != nil {
				return nil, err
			}
		}
		e.mu.Lock()
		if e.cfg.BeforeInvoke == nil || e.alive {
			break // queued below, still under the lock
		}
		// The runtime ended between being (re)started and this event being
		// queued. If it failed its init, that is this invocation's answer,
		// as Lambda gives it; if it was merely on its way out (reaped just
		// now), start a fresh one.
		if ae := e.initErr; ae != nil || attempt == 2 {
			if ae == nil {
				ae = api.InvocationError(inv.id, api.ErrTypeExit, "Runtime exited during init")
			}
			e.observe(Event{Kind: EventQueued, RequestID: inv.id})
			r := errResult(inv.id, OutcomeInitError, ae)
			inv.state = done
			e.endedLocked(inv, r)
			e.mu.Unlock()
			return r, nil
		}
		e.mu.Unlock()
		time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond) // let the sandbox reap it
	}
	if e.byID[inv.id] != nil {
		e.mu.Unlock()
		return nil, ErrRequestIDInUse
	}
	e.byID[inv.id] = inv
	e.observe(Event{Kind: EventQueued, RequestID: inv.id})
	e.mu.Unlock()
	start := time.Now()
	e.queue <- inv

	// The function timeout counts from delivery, as Lambda's does.
	select {
	case <-inv.started:
	case r := <-inv.result: // failed before delivery (init error)
		r.Duration = time.Since(start)
		return r, nil
	case <-ctx.Done():
		e.finish(inv, nil)
		return nil, ctx.Err()
	}
	timer := time.NewTimer(time.Until(inv.deadline))
	defer timer.Stop()
	select {
	case r := <-inv.result:
		r.Duration = time.Since(start)
		return r, nil
	case <-timer.C:
		if e.finish(inv, errResult(inv.id, OutcomeTimeout, api.Timeout(inv.id, e.cfg.Timeout))) && e.cfg.OnTimeout != nil && e.cfg.MaxConcurrency == 1 {
			e.cfg.OnTimeout(inv.id)
		}
		r := <-inv.result
		r.Duration = time.Since(start)
		return r, nil
	case <-ctx.Done():
		e.finish(inv, nil)
		return nil, ctx.Err()
	}
}

// finish moves inv to done and delivers r (nil: the invoker went away).
// It reports false when inv was already done.
func (e *Emulator) finish(inv *invocation, r *Result) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if inv.state == done {
		return false
	}
	if inv.state == delivered {
		<-e.slots // the runtime may take another
	}
	inv.state = done
	delete(e.byID, inv.id)
	if r != nil {
		r.Delivered, r.Ended = inv.delivered, time.Now()
	}
	e.endedLocked(inv, r)
	if r != nil {
		inv.result <- r
	}
	return true
}

// endedLocked forgets what an ended invocation no longer needs: only its
// id stays. r is nil when the invoker went away first.
func (e *Emulator) endedLocked(inv *invocation, r *Result) {
	inv.payload = nil
	e.ended.add(inv.id)
	ev := Event{Kind: EventEnded, RequestID: inv.id}
	if r != nil {
		ev.Outcome, ev.Platform = r.Outcome, r.platform
	}
	e.observe(ev)
}

// endedIDs remembers the last endedKept ids, so that a late post for one
// is answered 403 (already complete) rather than 400 (unknown), without
// growing for as long as serve runs.
type endedIDs struct {
	ring [endedKept]string
	next int
	set  map[string]struct{}
}

const endedKept = 4096

func (d *endedIDs) add(id string) {
	if d.set == nil {
		d.set = make(map[string]struct{}, endedKept)
	}
	delete(d.set, d.ring[d.next])
	d.ring[d.next] = id
	d.set[id] = struct{}{}
	d.next = (d.next + 1) % endedKept
}

func (d *endedIDs) has(id string) bool {
	_, ok := d.set[id]
	return ok
}

// RuntimeStarted is called by the sandbox when it starts a new execution
// environment (its extensions, then its runtime process): extensions of
// the previous one are forgotten and registration opens again.
func (e *Emulator) RuntimeStarted() {
	e.mu.Lock()
	e.initErr, e.served, e.alive, e.ready = nil, false, true, false
	e.resetExtensionsLocked()
	e.mu.Unlock()
}

// RuntimeExited is called by the sandbox when the runtime process ends:
// invocations it held fail with Runtime.ExitError; if it never got as far
// as /next, queued ones fail with its init error, as Lambda reports them.
func (e *Emulator) RuntimeExited(status string) {
	e.mu.Lock()
	e.alive = false
	initErr, served := e.initErr, e.served
	var held []*invocation
	// A runtime that ended cleanly before serving (SIGTERM during init)
	// failed nothing: its queued events wait for the next one.
	failQueued := !served && (initErr != nil || status != "exit status 0")
	for _, inv := range e.byID {
		if inv.state == delivered || (failQueued && inv.state == queued) {
			held = append(held, inv)
		}
	}
	e.mu.Unlock()
	for _, inv := range held {
		var ae *api.Error
		outcome := OutcomeRuntimeExit
		switch {
		case inv.state == queued && initErr != nil:
			ae, outcome = initErr, OutcomeInitError
		case inv.state == queued:
			ae, outcome = api.InvocationError(inv.id, api.ErrTypeExit, "Runtime exited without providing a reason (%s)", status), OutcomeInitError
		default:
			ae = api.InvocationError(inv.id, api.ErrTypeExit, "Runtime exited with error: %s", status)
		}
		e.finish(inv, errResult(inv.id, outcome, ae))
	}
	e.drainDone()
}

// drainDone drops finished invocations still sitting in the queue.
func (e *Emulator) drainDone() {
	for {
		select {
		case inv := <-e.queue:
			e.mu.Lock()
			live := inv.state != done
			e.mu.Unlock()
			if live {
				e.queue <- inv
				return
			}
		default:
			return
		}
	}
}

// Pending counts invocations queued but not yet handed to a runtime.
func (e *Emulator) Pending() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, inv := range e.byID {
		if inv.state == queued {
			n++
		}
	}
	return n
}

// FailInit ends the current environment's init with ae before a runtime
// process ran (an extension failed): queued invocations get ae.
func (e *Emulator) FailInit(ae *api.Error) {
	e.mu.Lock()
	e.initErr, e.alive = ae, false
	e.mu.Unlock()
	e.cfg.Log.Warn("init failed", "type", ae.Type, "msg", ae.Message)
}

// InitError is the last /init/error posted since the runtime started.
func (e *Emulator) InitError() *api.Error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.initErr
}
