// Package emulator is the server side of the Lambda Runtime API, faithful
// to the real one in routes, headers, status codes and limits, plus the
// invoke endpoint of the AWS Runtime Interface Emulator (RIE), so curl
// commands written for RIE work unchanged. Unlike RIE it accepts streamed
// responses and forwards their chunks as they arrive.
//
// Tests can ask it to keep a ledger of every invocation and the outcomes
// posted for it (Config.KeepLedger), to prove that each one got exactly
// one response or error. runtime-init serve runs without one: what it
// remembers of an ended invocation is its id, for a bounded while.
package emulator

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// Config describes the emulated function.
type Config struct {
	FunctionName string        // default "function"
	Region       string        // default "us-east-1"
	AccountID    string        // default "000000000000"
	Timeout      time.Duration // default 3 s, Lambda's default
	Log          *slog.Logger  // default: discard
	Handler      string        // the function's handler, told to extensions at registration
	// MaxConcurrency is how many invocations the runtime may hold at once:
	// 1, as in Lambda, unless the environment is in Lambda Managed
	// Instances mode (AWS_LAMBDA_MAX_CONCURRENCY). A /next beyond it waits.
	MaxConcurrency int
	// KeepLedger keeps a small record of every invocation (Ledger,
	// CheckExactlyOnce), for tests. It grows with every invocation.
	KeepLedger bool

	// BeforeInvoke runs before an invocation is queued; the sandbox uses it
	// to (re)start the runtime process lazily, as Lambda does.
	BeforeInvoke func(ctx context.Context) error
	// OnTimeout runs when an invocation's deadline passes unanswered;
	// Lambda then resets the execution environment.
	OnTimeout func(requestID string)
}

// TimeoutFromEnv reads AWS_LAMBDA_FUNCTION_TIMEOUT (whole seconds).
func TimeoutFromEnv(getenv func(string) string) (time.Duration, error) {
	v := getenv("AWS_LAMBDA_FUNCTION_TIMEOUT")
	if v == "" {
		return 3 * time.Second, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 900 {
		return 0, fmt.Errorf("AWS_LAMBDA_FUNCTION_TIMEOUT=%q: want whole seconds from 1 to 900", v)
	}
	return time.Duration(n) * time.Second, nil
}

// Outcome says how an invocation ended.
type Outcome string

const (
	OutcomeResponse    Outcome = "response"     // runtime posted a response
	OutcomeError       Outcome = "error"        // runtime posted an error
	OutcomeTimeout     Outcome = "timeout"      // deadline passed, nothing posted
	OutcomeRuntimeExit Outcome = "runtime-exit" // runtime process died first
	OutcomeInitError   Outcome = "init-error"   // the runtime failed to initialise
)

// Result is what an invoker gets back.
type Result struct {
	RequestID   string
	Outcome     Outcome
	Body        []byte // response body, or the error JSON
	ContentType string
	ErrorType   string // set for every outcome but OutcomeResponse
	Streamed    bool
	Duration    time.Duration
	platform    bool // the emulator decided it, not a runtime's post
}

// Failed reports whether the function failed (anything but a response).
func (r *Result) Failed() bool { return r.Outcome != OutcomeResponse }

// InvokeOptions carry the optional invocation context.
type InvokeOptions struct {
	ClientContext   string // JSON, as the Lambda-Runtime-Client-Context header
	CognitoIdentity string
	TenantID        string
	TraceID         string
	// Stream, when set, receives a streamed response's bytes as they
	// arrive (flushed if it is an http.Flusher); Result.Body is then empty.
	Stream io.Writer
}

// ErrPayloadTooLarge is returned for an event over 6 MB, as Lambda does.
var ErrPayloadTooLarge = errors.New("RequestEntityTooLarge: request payload exceeds 6291456 bytes")

type state int

const (
	queued state = iota
	delivered
	done
)

type invocation struct {
	id       string
	payload  []byte // dropped when the invocation ends
	opts     InvokeOptions
	deadline time.Time
	state    state
	started  chan struct{} // closed when delivered to the runtime
	result   chan *Result  // buffered(1); receives the final result once
	rec      *Record       // its ledger entry, when a ledger is kept
}

// Emulator is one emulated function with one execution environment.
type Emulator struct {
	cfg   Config
	queue chan *invocation

	slots chan struct{} // one token per invocation held by the runtime

	mu       sync.Mutex
	byID     map[string]*invocation // queued and delivered invocations
	ledger   []*Record              // with KeepLedger only
	ledgerID map[string]*Record
	ended    endedIDs // recently ended ids, to answer late posts 403
	initErr  *api.Error
	served   bool // a /next has been answered since the last runtime start
	alive    bool // a runtime process is running (when a sandbox manages one)

	exts      map[string]*extension // registered extensions, by identifier
	extOrder  []*extension          // in registration order
	extNotify chan struct{}         // closed and replaced when exts changes
}

// New returns an Emulator; serve its Handler on a loopback listener.
func New(cfg Config) *Emulator {
	if cfg.FunctionName == "" {
		cfg.FunctionName = "function"
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxConcurrency < 1 {
		cfg.MaxConcurrency = 1
	}
	e := &Emulator{cfg: cfg, queue: make(chan *invocation, 1024), byID: map[string]*invocation{},
		slots: make(chan struct{}, cfg.MaxConcurrency), ledgerID: map[string]*Record{}}
	e.resetExtensionsLocked()
	return e
}

// FunctionARN is the ARN handed to the runtime, built from the function's
// name as RIE builds it (internal/lambda/rie/handlers.go, InvokedFunctionArn).
func (e *Emulator) FunctionARN() string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", e.cfg.Region, e.cfg.AccountID, e.cfg.FunctionName)
}

// Timeout is the function timeout in force.
func (e *Emulator) Timeout() time.Duration { return e.cfg.Timeout }

// Invoke queues one event and waits for its outcome. A function failure is
// a Result with Failed() true, not an error; errors are the emulator's own.
func (e *Emulator) Invoke(ctx context.Context, payload []byte, opts InvokeOptions) (*Result, error) {
	if len(payload) > api.MaxPayload {
		return nil, ErrPayloadTooLarge
	}
	inv := &invocation{
		id: uuid.NewString(), payload: payload, opts: opts,
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
			e.recordLocked(inv)
			r := errResult(inv.id, OutcomeInitError, ae)
			inv.state = done
			e.endedLocked(inv, r)
			e.mu.Unlock()
			return r, nil
		}
		e.mu.Unlock()
		time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond) // let the sandbox reap it
	}
	e.byID[inv.id] = inv
	e.recordLocked(inv)
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
		if e.finish(inv, errResult(inv.id, OutcomeTimeout, api.Timeout(inv.id, e.cfg.Timeout))) && e.cfg.OnTimeout != nil {
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

// errResult is an outcome the platform decides, not a runtime's post.
func errResult(id string, o Outcome, ae *api.Error) *Result {
	return &Result{RequestID: id, Outcome: o, Body: ae.JSON(), ContentType: "application/json", ErrorType: ae.Type, platform: true}
}

// recordLocked opens inv's ledger entry, if a ledger is kept; the caller
// holds e.mu.
func (e *Emulator) recordLocked(inv *invocation) {
	if !e.cfg.KeepLedger {
		return
	}
	inv.rec = &Record{RequestID: inv.id}
	e.ledger = append(e.ledger, inv.rec)
	e.ledgerID[inv.id] = inv.rec
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
	e.endedLocked(inv, r)
	if r != nil {
		inv.result <- r
	}
	return true
}

// endedLocked forgets what an ended invocation no longer needs: only its
// id stays (and its ledger record, when one is kept).
func (e *Emulator) endedLocked(inv *invocation, r *Result) {
	inv.payload = nil
	e.ended.add(inv.id)
	if inv.rec != nil {
		inv.rec.Done = true
		if r != nil {
			inv.rec.Outcome, inv.rec.Platform = r.Outcome, r.platform
		}
	}
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
	e.initErr, e.served, e.alive = nil, false, true
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

// Record is one invocation in the ledger: a few words, no payload.
type Record struct {
	RequestID string
	Accepted  int // outcome posts answered 202
	Refused   int // posts answered 4xx (too large, wrong state)
	Done      bool
	Outcome   Outcome // empty when the invoker gave up first
	// Platform: the emulator decided the outcome (init error, runtime
	// exit, timeout, a response over the limit), not a runtime's post.
	Platform bool
}

// ErrNoLedger is CheckExactlyOnce's answer when Config.KeepLedger is off.
var ErrNoLedger = errors.New("no ledger kept: set KeepLedger (sandbox.Options.Ledger) to check exactly-once")

// Ledger lists every invocation so far, in order; nil unless KeepLedger.
func (e *Emulator) Ledger() []Record {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Record, len(e.ledger))
	for i, r := range e.ledger {
		out[i] = *r
	}
	return out
}

// CheckExactlyOnce returns an error naming every invocation that is still
// open, got more than one accepted outcome post, or got none although the
// runtime was alive to post one. Init failures and runtime deaths are
// answered by the platform; a timeout the runtime did not answer itself is
// a failure unless its id is in allowTimeout.
func (e *Emulator) CheckExactlyOnce(allowTimeout map[string]bool) error {
	if !e.cfg.KeepLedger {
		return ErrNoLedger
	}
	var bad []string
	for _, r := range e.Ledger() {
		platform := r.Platform && (r.Outcome != OutcomeTimeout || allowTimeout[r.RequestID])
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

// Handler serves the Runtime API and the RIE invoke endpoint.
func (e *Emulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+api.PathNext, e.serveNext)
	mux.HandleFunc("POST "+api.PathInvoke+"{id}/response", e.serveResponse)
	mux.HandleFunc("POST "+api.PathInvoke+"{id}/error", e.serveError)
	mux.HandleFunc("POST "+api.PathInitError, e.serveInitError)
	mux.Handle("POST "+api.PathRIEInvoke, InvokeHandler(e))
	mux.HandleFunc("POST "+api.PathExtensionRegister, e.serveExtensionRegister)
	mux.HandleFunc("GET "+api.PathExtensionNext, e.serveExtensionNext)
	mux.HandleFunc("POST "+api.PathExtensionInitError, e.serveExtensionError(true))
	mux.HandleFunc("POST "+api.PathExtensionExitError, e.serveExtensionError(false))
	return mux
}

func (e *Emulator) serveNext(w http.ResponseWriter, r *http.Request) {
	// One invocation at a time per runtime (MaxConcurrency in Managed
	// Instances mode): a /next beyond that waits for one to end.
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
			inv.deadline = time.Now().Add(e.cfg.Timeout)
			e.served = true
			if inv.opts.TraceID == "" {
				inv.opts.TraceID = newTraceID()
			}
			e.notifyInvokeLocked(inv, inv.opts.TraceID)
		}
		e.mu.Unlock()
	}
	h := w.Header()
	h.Set(api.HeaderRequestID, inv.id)
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

// lookup finds a delivered invocation for a post, or answers as Lambda does:
// 400 InvalidRequestID for an id it never handed out, 403
// InvalidStateTransition for one already answered.
func (e *Emulator) lookup(w http.ResponseWriter, r *http.Request) *invocation {
	id := r.PathValue("id")
	e.mu.Lock()
	defer e.mu.Unlock()
	inv, ok := e.byID[id]
	if !ok {
		if e.ended.has(id) || e.ledgerID[id] != nil {
			if rec := e.ledgerID[id]; rec != nil {
				rec.Refused++
			}
			renderError(w, http.StatusForbidden, "InvalidStateTransition", "Invocation "+id+" is already complete")
			return nil
		}
		renderError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID: "+id)
		return nil
	}
	if inv.state != delivered {
		if inv.rec != nil {
			inv.rec.Refused++
		}
		renderError(w, http.StatusForbidden, "InvalidStateTransition", "Invocation "+id+" was not handed out by /next")
		return nil
	}
	return inv
}

func (e *Emulator) refuse(inv *invocation, w http.ResponseWriter, status int, typ, msg string) {
	e.mu.Lock()
	if inv.rec != nil {
		inv.rec.Refused++
	}
	e.mu.Unlock()
	renderError(w, status, typ, msg)
}

func (e *Emulator) accept(inv *invocation, w http.ResponseWriter, res *Result) {
	if !e.complete(inv, w, res, true) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`+"\n")
}

// complete records the runtime's post in the ledger (accepted or refused)
// and ends inv with res. It reports false, having answered 403, when inv
// had already timed out while the post was in flight, as Lambda refuses it.
func (e *Emulator) complete(inv *invocation, w http.ResponseWriter, res *Result, accepted bool) bool {
	e.mu.Lock()
	if inv.rec != nil {
		if accepted {
			inv.rec.Accepted++
		} else {
			inv.rec.Refused++
		}
	}
	e.mu.Unlock()
	if !e.finish(inv, res) {
		renderError(w, http.StatusForbidden, "InvalidStateTransition", "Invocation "+inv.id+" already timed out")
		return false
	}
	return true
}

func renderError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(api.NewError(typ, msg).JSON())
}

// readBody reads a posted body. One over limit is read on to its end
// (counted, not kept) so that the runtime gets an answer rather than a
// reset connection, and its full size is returned with a nil body: RIE
// also reads it all before judging (internal/lambda/rapidcore/server.go,
// SendResponse).
func readBody(r *http.Request, limit int64) (body []byte, size int64, err error) {
	body, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
	size = int64(len(body))
	if err != nil || size <= limit {
		return body, size, err
	}
	rest, err := io.Copy(io.Discard, r.Body)
	return nil, size + rest, err
}

// tooLarge ends inv at once with Function.ResponseSizeTooLarge and answers
// the runtime 413 with RIE's error body, as RIE does
// (internal/lambda/rapi/handler/invocationresponse.go, ErrorResponseTooLarge;
// rapi/rendering/render_error.go, RenderRequestEntityTooLarge). Waiting
// for the runtime to post an error instead would leave the invocation
// open until its timeout when the runtime does not (aws-lambda-go exits).
func (e *Emulator) tooLarge(inv *invocation, w http.ResponseWriter, ae *api.Error, limit int64, streamed bool) {
	res := errResult(inv.id, OutcomeError, ae)
	res.Streamed = streamed
	if !e.complete(inv, w, res, false) {
		return
	}
	renderError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
		fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", limit))
}

func (e *Emulator) serveResponse(w http.ResponseWriter, r *http.Request) {
	inv := e.lookup(w, r)
	if inv == nil {
		return
	}
	if r.Header.Get(api.HeaderResponseMode) == api.ResponseModeStream {
		e.serveStream(inv, w, r)
		return
	}
	body, n, err := readBody(r, api.MaxResponse)
	switch {
	case err != nil:
		e.refuse(inv, w, http.StatusBadRequest, "TruncatedHTTPRequest", "reading the body: "+err.Error())
	case body == nil && n > api.MaxResponse:
		e.tooLarge(inv, w, api.ResponseTooLarge(n), api.MaxResponse, false)
	default:
		e.accept(inv, w, &Result{RequestID: inv.id, Outcome: OutcomeResponse, Body: body, ContentType: r.Header.Get("Content-Type")})
	}
}

// serveStream forwards a streamed response to the invoker's writer as it
// arrives; an error after the first byte comes in the trailers.
func (e *Emulator) serveStream(inv *invocation, w http.ResponseWriter, r *http.Request) {
	res := &Result{RequestID: inv.id, Outcome: OutcomeResponse, Streamed: true, ContentType: r.Header.Get("Content-Type")}
	dst := inv.opts.Stream
	var kept []byte
	if dst == nil {
		dst = writerFunc(func(p []byte) (int, error) { kept = append(kept, p...); return len(p), nil })
	}
	fl, _ := dst.(http.Flusher)
	buf := make([]byte, 32*1024)
	var n int64
	for {
		k, err := r.Body.Read(buf)
		if k > 0 {
			n += int64(k)
			if n > api.MaxStreamedPayload {
				rest, _ := io.Copy(io.Discard, r.Body)
				e.tooLarge(inv, w, api.NewError(api.ErrTypeResponseTooBig, fmt.Sprintf(
					"Response payload size (%d bytes) exceeded maximum allowed payload size (%d bytes).", n+rest, api.MaxStreamedPayload)),
					api.MaxStreamedPayload, true)
				return
			}
			_, _ = dst.Write(buf[:k])
			if fl != nil {
				fl.Flush()
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			res.Outcome, res.ErrorType = OutcomeError, api.ErrTypeTruncated
			res.Body = api.NewError(api.ErrTypeTruncated, "the runtime's streamed response broke off: "+err.Error()).JSON()
			e.accept(inv, w, res)
			return
		}
	}
	res.Body = kept
	if typ := r.Trailer.Get(api.HeaderErrorType); typ != "" {
		res.Outcome, res.ErrorType = OutcomeError, typ
		if b, err := base64.StdEncoding.DecodeString(r.Trailer.Get(api.HeaderErrorBody)); err == nil && len(b) > 0 {
			res.Body = b
			res.ErrorType = reportedError(typ, b).Type
		} else {
			res.Body = api.NewError(typ, "streamed response failed").JSON()
		}
	}
	e.accept(inv, w, res)
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func (e *Emulator) serveError(w http.ResponseWriter, r *http.Request) {
	inv := e.lookup(w, r)
	if inv == nil {
		return
	}
	body, n, err := readBody(r, api.MaxResponse)
	switch {
	case err != nil:
		e.refuse(inv, w, http.StatusBadRequest, "TruncatedHTTPRequest", "reading the body: "+err.Error())
	case body == nil && n > api.MaxResponse:
		e.tooLarge(inv, w, api.ResponseTooLarge(n), api.MaxResponse, false)
	default:
		typ := reportedError(r.Header.Get(api.HeaderErrorType), body).Type
		e.accept(inv, w, &Result{RequestID: inv.id, Outcome: OutcomeError, Body: body, ContentType: "application/json", ErrorType: typ})
	}
}

func (e *Emulator) serveInitError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, api.MaxResponse))
	ae := reportedError(r.Header.Get(api.HeaderErrorType), body)
	e.mu.Lock()
	e.initErr = ae
	e.mu.Unlock()
	e.cfg.Log.Warn("init error", "type", ae.Type, "msg", ae.Message)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`+"\n")
}

// reportedError reads an error a runtime or an extension posted: the type
// from the header, else from the body's errorType, else Lambda's fallback
// "Unhandled"; the message from the body's errorMessage, else the body's
// text. Every error post the emulator serves is parsed here.
func reportedError(typeHeader string, body []byte) *api.Error {
	var parsed api.Error
	isJSON := json.Unmarshal(body, &parsed) == nil
	ae := api.NewError(typeHeader, parsed.Message)
	if ae.Type == "" {
		ae.Type = parsed.Type
	}
	if ae.Type == "" {
		ae.Type = "Unhandled"
	}
	if !isJSON || parsed.Message == "" {
		ae.Message = strings.TrimSpace(string(body))
	}
	return ae
}
