// Package httpmode is the http handler mode, a drop-in for AWS Lambda Web
// Adapter: the handler command is a web app, started once at init as a
// child process; each invocation's event becomes an HTTP request to it and
// its response becomes the Lambda response (buffered, or streamed as the
// app writes it). The configuration is the adapter's (AWS_LWA_*).
package httpmode

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/h1"
	"github.com/faas-runtime/faas-runtime/runtime/httpevent"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
)

func init() { modes.Register(modes.HTTP, New) }

// Error types of this mode, besides the shared ones in package api.
const (
	// ErrTypeErrorStatus is the adapter's errorType for a status listed in
	// AWS_LWA_ERROR_STATUS_CODES: lambda_runtime names a boxed error by its
	// Rust type (lambda-runtime/src/diagnostic.rs, type_name_of_val), and
	// DLQ and Step Functions readers match on it.
	ErrTypeErrorStatus = "&alloc::boxed::Box<dyn core::error::Error + core::marker::Send + core::marker::Sync>"
	ErrTypeAppRequest  = "Runtime.AppRequestFailed" // the app refused or broke the connection
	ErrTypeAppNotReady = "Runtime.AppNotReady"      // the app did not pass its readiness check by the deadline
)

// Readiness polling: the first check right after the start, then from
// pollFirst doubling up to pollFine while the app is in its first
// pollFineFor, up to pollMax after (the adapter polls every 10 ms flat),
// with a log line every notReadyLogEvery, as the adapter's
// src/readiness.rs Checkpoint does. An app that is ready within
// milliseconds (Go, Rust) is found at most pollFine late; a slow one costs
// a hundred cheap refused connects at most.
const (
	pollFirst        = 250 * time.Microsecond
	pollFine         = time.Millisecond
	pollFineFor      = 100 * time.Millisecond
	pollMax          = 10 * time.Millisecond
	notReadyLogEvery = 2 * time.Second
)

// Mode is the http handler mode.
type Mode struct {
	cfg      *Config
	argv     []string
	external bool // the app is started by Lambda, not by us (extension role)
	env      []string
	log      *slog.Logger
	app      *h1.Client // requests, kept-alive connections (one per concurrent invocation)
	probe    *h1.Client // readiness checks: app itself when the ports match, so the first invocation finds a warm connection
	evo      httpevent.Options

	startMu   sync.Mutex // serialises (re)starts and readiness checks
	lastProbe string     // what the last readiness check got; under startMu

	mu       sync.Mutex
	cur      *child
	ready    bool
	stopping bool
}

// New builds the mode from the bootstrap's configuration.
func New(hc modes.Config) (modes.Mode, error) {
	cfg, err := LoadConfig(hc.Getenv)
	if err != nil {
		return nil, err
	}
	m := &Mode{cfg: cfg, argv: hc.Command, external: hc.ExternalApp, log: hc.Log.With("mode", "http")}
	if !m.external && len(m.argv) == 0 {
		return nil, api.Errorf(api.ErrTypeInvalidHandler, "http mode: no web app command")
	}
	if w := modes.ExecWrapper(hc.Getenv); w != "" && !m.external {
		// The app starts through the wrapper, as Lambda's runtimes do; the
		// adapter's start-up leaves it out (aws-lambda-web-adapter #411).
		if err := modes.CheckExecWrapper(w); err != nil {
			return nil, err
		}
		m.argv = modes.Wrapped(w, m.argv)
	}
	m.app = &h1.Client{Addr: net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)), MaxIdle: max(hc.Concurrency, 1), DialTimeout: 2 * time.Second}
	m.probe = m.app
	if cfg.ReadinessPort != cfg.Port {
		m.probe = &h1.Client{Addr: net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.ReadinessPort)), MaxIdle: 1, DialTimeout: time.Second}
	}
	mem, _ := strconv.Atoi(hc.Getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"))
	m.evo = httpevent.Options{
		RemoveBasePath:      cfg.RemoveBasePath,
		PassThroughPath:     cfg.PassThroughPath,
		AuthorizationSource: cfg.AuthorizationSource,
		Env: httpevent.EnvConfig{
			FunctionName: hc.Getenv("AWS_LAMBDA_FUNCTION_NAME"),
			Memory:       mem,
			Version:      hc.Getenv("AWS_LAMBDA_FUNCTION_VERSION"),
			LogStream:    hc.Getenv("AWS_LAMBDA_LOG_STREAM_NAME"),
			LogGroup:     hc.Getenv("AWS_LAMBDA_LOG_GROUP_NAME"),
		},
	}
	m.env = os.Environ()
	if hc.Getenv("PORT") == "" {
		// Most frameworks read PORT; the adapter's users set it by hand.
		m.env = append(m.env, "PORT="+strconv.Itoa(cfg.Port))
	}
	for _, w := range cfg.Warnings {
		m.log.Warn(w)
	}
	if cfg.Host != "127.0.0.1" && cfg.Host != "localhost" {
		m.log.Warn("AWS_LWA_HOST is not a loopback address", "host", cfg.Host)
	}
	return m, nil
}

// Init starts the app and waits until it is ready, as long as it takes:
// the adapter polls with no limit of its own (src/lib.rs,
// check_init_health). Lambda cuts an on-demand init at 10 s and re-runs it
// inside the first invocation; rather than be cut and restart the app,
// Init hands the wait to the first invocation at 9.8 s (what the adapter's
// async init does), which keeps waiting until its deadline. Where the
// init is not cut (provisioned concurrency, SnapStart) a synchronous init
// waits here.
func (m *Mode) Init(ctx context.Context) error {
	m.startMu.Lock()
	defer m.startMu.Unlock()
	var c *child // stays nil for an external app: there is no process of ours to watch
	if !m.external {
		var err error
		if c, err = m.start(); err != nil {
			return err
		}
	}
	// How long init waits, and whether running out fails it: a bound set
	// with AWS_LWA_READINESS_CHECK_TIMEOUT_SECONDS fails init, as in the
	// adapter, unless the on-demand hand-over at 9.8 s comes first.
	limit, bounded := m.cfg.ReadinessTimeout, m.cfg.ReadinessTimeout > 0
	if !m.cfg.WaitInInit && (!bounded || limit > InitHandOver) {
		limit, bounded = InitHandOver, false
	}
	wctx := ctx
	if limit > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	start := time.Now()
	err := m.waitReady(wctx, c)
	switch {
	case err == nil:
		m.mu.Lock()
		m.ready = m.cur == c
		m.mu.Unlock()
		m.log.Info("web app ready", "port", m.cfg.Port, "after", time.Since(start).Round(time.Microsecond))
		return nil
	case c.dead():
		// As in the adapter's layout, where the app is the runtime process.
		return api.Errorf(api.ErrTypeExit, "%s", c.describe())
	case ctx.Err() != nil:
		c.stop(m.cfg.StopGrace)
		return ctx.Err()
	case bounded:
		c.stop(m.cfg.StopGrace)
		return m.notReadyWithin("init", limit, c)
	}
	m.log.Warn("web app not ready yet: the first invocation keeps waiting, until its deadline", "after", InitHandOver, "check", m.readinessTarget())
	return nil
}

// notReadyWithin is the failure of a phase whose readiness wait ran out
// of AWS_LWA_READINESS_CHECK_TIMEOUT_SECONDS.
func (m *Mode) notReadyWithin(phase string, limit time.Duration, c *child) error {
	return api.Errorf(ErrTypeAppNotReady, "%s: the web app was not ready within AWS_LWA_READINESS_CHECK_TIMEOUT_SECONDS (%s): the readiness check, %s, never passed%s",
		phase, limit, m.readinessTarget(), c.stderrNote())
}

// readinessTarget says what the readiness check asks and what it last got.
func (m *Mode) readinessTarget() string {
	s := "GET http://" + m.probe.Addr + m.cfg.ReadinessPath + " (healthy: " + m.cfg.Healthy.String() + ")"
	if m.cfg.ReadinessTCP {
		s = "a TCP connection to " + m.probe.Addr
	}
	if m.lastProbe != "" {
		s += ", last got " + m.lastProbe
	}
	return s
}

// start runs the app once; the caller holds startMu.
func (m *Mode) start() (*child, error) {
	m.mu.Lock()
	stopping := m.stopping
	m.mu.Unlock()
	if stopping {
		return nil, api.Errorf(api.ErrTypeExit, "the runtime is shutting down")
	}
	c, err := startChild(m.argv, m.env)
	if err != nil {
		return nil, api.Errorf(api.ErrTypeInvalidHandler, "cannot start the web app %s: %v", m.argv[0], err)
	}
	m.mu.Lock()
	m.cur, m.ready = c, false
	m.mu.Unlock()
	go func() {
		<-c.exited
		m.mu.Lock()
		stopping := m.stopping
		m.mu.Unlock()
		if !stopping {
			m.log.Error("web app exited; it is restarted before the next invocation", "status", c.status)
		}
	}()
	return c, nil
}

// waitReady polls the readiness check until it passes, the app dies or
// ctx ends.
func (m *Mode) waitReady(ctx context.Context, c *child) error {
	wait := pollFirst
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	start := time.Now()
	nextLog := notReadyLogEvery
	for {
		if m.check(ctx) {
			return nil
		}
		if waited := time.Since(start); waited >= nextLog {
			m.log.Info("web app not ready yet", "after", waited.Round(time.Millisecond), "check", m.readinessTarget())
			nextLog += notReadyLogEvery
		}
		if c.dead() {
			return errors.New("the web app exited")
		}
		if wait <= pollFine {
			// The runtime's timers wake from the netpoller, a millisecond
			// at a time (epoll): a 250 µs timer took 1 to 2 ms. Short
			// waits sleep the thread instead.
			sleepThread(wait)
		} else {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-c.exitedChan():
			case <-ctx.Done():
			}
		}
		switch {
		case c.dead():
			return errors.New("the web app exited")
		case ctx.Err() != nil:
			return ctx.Err()
		}
		wait = min(wait*2, pollFine)
		if time.Since(start) > pollFineFor {
			wait = pollMax
		}
	}
}

// check is one readiness probe; the caller holds startMu.
func (m *Mode) check(ctx context.Context) bool {
	if m.cfg.ReadinessTCP {
		d := net.Dialer{Timeout: time.Second}
		nc, err := d.DialContext(ctx, "tcp", m.probe.Addr)
		if err != nil {
			m.noteProbeError(ctx, err)
			return false
		}
		nc.Close()
		return true
	}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	resp, err := m.probe.Do(pctx, &h1.Request{Method: "GET", Path: m.cfg.ReadinessPath})
	if err != nil {
		m.noteProbeError(ctx, err)
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	m.lastProbe = "status " + strconv.Itoa(resp.StatusCode)
	return m.cfg.Healthy.has(resp.StatusCode)
}

// noteProbeError records a failed probe, unless the wait itself ended
// (the deadline): a probe cut short says nothing about the app, and the
// error should name what the last whole check got.
func (m *Mode) noteProbeError(ctx context.Context, err error) {
	if ctx.Err() == nil || m.lastProbe == "" {
		m.lastProbe = err.Error()
	}
}

// ensure returns the running, ready app, restarting it if it died and
// waiting for it if it is not ready yet (async init).
func (m *Mode) ensure(ctx context.Context) (*child, error) {
	if c, ok := m.readyApp(); ok {
		return c, nil
	}
	m.startMu.Lock()
	defer m.startMu.Unlock()
	if c, ok := m.readyApp(); ok {
		return c, nil
	}
	m.mu.Lock()
	c := m.cur
	m.mu.Unlock()
	if !m.external && (c == nil || c.dead()) {
		var err error
		if c, err = m.start(); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	if err := m.waitReady(ctx, c); err != nil {
		if c.dead() {
			return nil, api.Errorf(api.ErrTypeExit, "%s", c.describe())
		}
		if ctx.Err() != nil {
			// A healthy range never met must not hang the function: the
			// invocation ends at its deadline and says what was asked.
			return nil, api.Errorf(ErrTypeAppNotReady, "the web app was not ready by the invocation's deadline (waited %s here): the readiness check, %s, never passed%s",
				time.Since(start).Round(time.Millisecond), m.readinessTarget(), c.stderrNote())
		}
		return nil, err
	}
	m.mu.Lock()
	if m.cur == c {
		m.ready = true
	}
	m.mu.Unlock()
	return c, nil
}

// readyApp reports whether the app has passed its readiness check and is
// still running; c is its process (nil for an external app).
func (m *Mode) readyApp() (c *child, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case !m.ready:
		return nil, false
	case m.external:
		return nil, true
	case m.cur != nil && !m.cur.dead():
		return m.cur, true
	}
	return nil, false
}

// Invoke sends the event to the app as an HTTP request.
func (m *Mode) Invoke(ctx context.Context, inv *api.Invocation) modes.Response {
	req, err := httpevent.Translate(inv, &m.evo)
	if err != nil {
		return modes.Response{Err: err}
	}
	if m.isHookPath(req) {
		return m.forbidden(req)
	}
	// Answer before Lambda's deadline: a timeout is posted as an error
	// rather than left for Lambda to find.
	dctx, cancel := withMargin(ctx)
	streaming := false
	defer func() {
		if !streaming {
			cancel()
		}
	}()

	c, err := m.ensure(dctx)
	if err != nil {
		return modes.Response{Err: m.failure(inv, dctx, nil, err, "the web app is not ready")}
	}
	hreq := &h1.Request{Method: req.Method, Path: req.Target(), Host: req.Host, Header: req.Header,
		Body: bytes.NewReader(req.Body), ContentLength: int64(len(req.Body))}
	resp, err := m.app.Do(dctx, hreq)
	if err != nil {
		return modes.Response{Err: m.failure(inv, dctx, c, err, "the request to the web app failed")}
	}
	if m.cfg.ErrorStatus.has(resp.StatusCode) {
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, api.MaxPayload))
		resp.Body.Close()
		if rerr != nil {
			return modes.Response{Err: m.failure(inv, dctx, c, rerr, "reading the web app's response failed")}
		}
		return modes.Response{Err: errorStatus(resp.StatusCode, body)}
	}

	if m.cfg.Streaming {
		// Every event, pass-through included, gets the prelude: the adapter
		// streams through lambda_http's into_stream_response whatever the
		// event (lambda-http/src/streaming.rs).
		streaming = true
		s := &stream{m: m, inv: inv, ctx: dctx, cancel: cancel, c: c, body: resp.Body}
		s.prelude = httpevent.Prelude(&httpevent.Response{Status: resp.StatusCode, Header: resp.Header})
		return modes.Response{Stream: s, ContentType: api.ContentTypeHTTPIntegration}
	}

	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, api.MaxResponse+1))
	if err != nil {
		return modes.Response{Err: m.failure(inv, dctx, c, err, "reading the web app's response failed")}
	}
	if len(body) > api.MaxResponse {
		return modes.Response{Err: api.ResponseTooLarge(int64(len(body)))}
	}
	out := &httpevent.Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if m.cfg.Compression && req.Kind != httpevent.PassThrough {
		httpevent.Compress(req.Header.Get("Accept-Encoding"), out)
	}
	return modes.Response{Body: httpevent.Encode(req, out), ContentType: "application/json"}
}

// errorStatus is the failure for a status listed in
// AWS_LWA_ERROR_STATUS_CODES, in the adapter's shape (src/lib.rs,
// fetch_response; adapter #668): the message is the JSON
// {"statusCode":502,"body":"..."} with the app's body (invalid UTF-8
// replaced, as String::from_utf8_lossy does), so a DLQ or Step Functions
// reader can parse it. It is the app's answer rather than a sentence of
// ours, so it has no "RequestId: ... Error:" prefix.
func errorStatus(status int, body []byte) *api.Error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // serde_json leaves <, > and & alone
	_ = enc.Encode(strings.ToValidUTF8(string(body), "\uFFFD"))
	msg := `{"statusCode":` + strconv.Itoa(status) + `,"body":` + strings.TrimSuffix(b.String(), "\n") + "}"
	return api.NewError(ErrTypeErrorStatus, msg)
}

// failure turns a transport error into the error Lambda should see; one
// that already has its Lambda type (said by ensure: the app exited, or was
// not ready by the deadline) is returned as it is.
func (m *Mode) failure(inv *api.Invocation, dctx context.Context, c *child, err error, what string) error {
	switch {
	case api.TypeOf(err) != "":
		return err
	case dctx.Err() != nil:
		return api.TimedOut(inv.Budget())
	case errors.Is(err, h1.ErrInvalidHeader):
		return api.Errorf(httpevent.ErrTypeInvalidHeader, "%v; the request was not sent", err)
	}
	if c != nil {
		// A reset connection usually means the app died: give the reaper a
		// moment so the error says so, with the app's last words.
		select {
		case <-c.exited:
			return api.Errorf(api.ErrTypeExit, "%s", c.describe())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return api.Errorf(ErrTypeAppRequest, "%s: %v", what, err)
}

// withMargin ends the context a little before the invocation's deadline,
// so there is time left to post the timeout error.
func withMargin(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	remaining := time.Until(dl)
	return context.WithDeadline(ctx, dl.Add(-modes.AnswerMargin(remaining)))
}

// Shutdown forwards SIGTERM to the app and kills it after the grace period
// (FAAS_HTTP_STOP_GRACE, bounded by ctx).
func (m *Mode) Shutdown(ctx context.Context) error {
	m.mu.Lock()
	m.stopping = true
	c := m.cur
	m.mu.Unlock()
	if c != nil {
		grace := m.cfg.StopGrace
		if dl, ok := ctx.Deadline(); ok {
			grace = min(grace, time.Until(dl))
		}
		c.stop(max(grace, 0))
	}
	m.app.CloseIdleConnections()
	return nil
}

// stream is a streamed response: the prelude, then the app's body as it
// arrives. A failure after the first byte is Read's error, which the
// bootstrap reports in the trailers.
type stream struct {
	m       *Mode
	inv     *api.Invocation
	ctx     context.Context
	cancel  context.CancelFunc
	c       *child
	body    io.ReadCloser
	prelude []byte
}

func (s *stream) Read(p []byte) (int, error) {
	if len(s.prelude) > 0 {
		n := copy(p, s.prelude)
		s.prelude = s.prelude[n:]
		return n, nil
	}
	n, err := s.body.Read(p)
	if err != nil && err != io.EOF {
		return n, s.m.failure(s.inv, s.ctx, s.c, err, "the web app's streamed response broke off")
	}
	return n, err
}

func (s *stream) Close() error {
	err := s.body.Close()
	s.cancel()
	return err
}
