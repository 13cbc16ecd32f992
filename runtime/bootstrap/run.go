// Package bootstrap is the runtime's main loop: it resolves the
// configuration, initialises the handler mode, then runs one
// GET-next/POST-result loop per allowed concurrent invocation until SIGTERM.
package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/client"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
)

// ShutdownGrace is how long in-flight work gets after SIGTERM. Lambda gives
// a runtime without extensions about 300 ms before SIGKILL.
const ShutdownGrace = 250 * time.Millisecond

// Main runs the runtime with the process's environment and signals and
// returns the exit code: 0 after SIGTERM, 1 after a fatal error. argv0 and
// args are the process's; started by Lambda as an external extension, it
// takes the extension role (see RunExtension).
func Main(argv0 string, args []string) int {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	p := &process{cancel: stop}
	log := NewLogger(os.Stderr, os.Getenv)
	if IsExtension(argv0, args) {
		return runExtension(ctx, filepath.Base(argv0), os.Getenv, log, p)
	}
	return runArgs(ctx, args, os.Getenv, log, p)
}

// Run is Main with its inputs injected. Cancelling ctx is SIGTERM.
func Run(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger) int {
	return runArgs(ctx, args, getenv, log, nil)
}

func runArgs(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger, p *process) int {
	cfg, cerr := LoadConfig(args, getenv)
	report := func(err error) int { return initFailed(cfg, err, log) }
	if cerr != nil {
		return report(cerr)
	}
	return run(ctx, cfg, getenv, log, report, p)
}

// run initialises the mode and serves until SIGTERM. report tells Lambda
// that init failed (through the Runtime API, or the Extensions API in the
// extension role) and returns the exit code.
func run(ctx context.Context, cfg *Config, getenv func(string) string, log *slog.Logger, report func(error) int, p *process) int {
	factory, ok := modes.Lookup(cfg.Mode)
	if !ok {
		return report(api.Errorf(api.ErrTypeBadConfig, "%s", modeMissing(cfg.Mode)))
	}
	how := "from " + ModeEnv
	if cfg.ModeInferred {
		how = "inferred"
	}
	app := "started by Lambda (extension role)"
	if len(cfg.Command) > 0 {
		app = cfg.Command[0]
	}
	log.Info("init", "mode", cfg.Mode, "mode_source", how, "handler", app, "concurrency", cfg.Concurrency)
	if cfg.Proxied {
		log.Info("Runtime API through a proxy", "env", RuntimeAPIProxyEnv, "endpoint", cfg.Endpoint)
	}

	// The first loop's connection to the Runtime API is made while a mode
	// that takes a while to init (http mode's web app starting, sharedlib's
	// library loading) does so, and is ready for the first /next. Exec
	// mode's init is a stat: a goroutine would cost more than it hides.
	first := client.New(cfg.Endpoint)
	if cfg.Mode != modes.Exec {
		go first.Connect(ctx) // a failure shows again, and is handled, on /next
	}
	if cfg.Mode == modes.HTTP {
		p.watchSignals() // before the app starts, so that it is stopped gracefully
	}
	h, err := factory(modes.Config{Command: cfg.Command, ExternalApp: len(cfg.Command) == 0, TaskRoot: cfg.TaskRoot, Concurrency: cfg.Concurrency, Log: log, Getenv: getenv})
	if err == nil {
		err = h.Init(ctx)
	}
	if err != nil && ctx.Err() != nil {
		// SIGTERM during init: a shutdown, not a broken function.
		log.Info("shutdown during init")
		sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
		defer cancel()
		_ = h.Shutdown(sctx)
		return 0
	}
	if err != nil {
		return report(err)
	}
	if cfg.SnapStart {
		var code int
		if first, code = snapStart(ctx, cfg, h, first, log, report); code != 0 {
			sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
			defer cancel()
			_ = h.Shutdown(sctx)
			return code
		}
	}

	if p != nil {
		first.NextSent = p.watchSignals
	}
	code := serve(ctx, cfg, h, first, log)
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	if err := h.Shutdown(sctx); err != nil {
		log.Warn("shutdown", "err", err)
	}
	return code
}

func modeMissing(mode modes.Name) string {
	msg := fmt.Sprintf("%s=%q is not a handler mode of this build (have %v)", ModeEnv, mode, modes.Registered())
	if mode == modes.Sharedlib {
		msg += "; sharedlib needs the glibc build: install the faas-runtime-sharedlib package and make /usr/bin/faas-runtime-sharedlib the entrypoint" +
			" (glibc bases: ubi-minimal, ubi-micro, distroless cc or base, Debian; not alpine or distroless static)"
	}
	return msg
}

// initFailed reports a failed init, err with its Lambda type or as
// Runtime.InitError, and returns the exit code.
func initFailed(cfg *Config, err error, log *slog.Logger) int {
	e := api.InitBody(err, api.ErrTypeInitError)
	log.Error("init failed", "type", e.Type, "msg", e.Message)
	if cfg != nil && cfg.Endpoint != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := client.New(cfg.Endpoint).InitError(ctx, e); err != nil {
			log.Error("could not report init error", "err", err)
		}
	}
	return 1
}

// serve runs cfg.Concurrency loops, the first on client first, until ctx is cancelled (exit 0) or one
// of them hits a fatal Runtime API error (exit 1).
func serve(ctx context.Context, cfg *Config, h modes.Mode, first *client.Client, log *slog.Logger) int {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopHandler := context.AfterFunc(ctx, func() {
		// SIGTERM: let the mode stop its children now, so in-flight
		// invocations end (and are answered) within the grace period.
		sctx, c := context.WithTimeout(context.Background(), ShutdownGrace)
		defer c()
		_ = h.Shutdown(sctx)
	})
	defer stopHandler()

	var wg sync.WaitGroup
	gone, malformed := newRateLimited(), newRateLimited()
	for i := 0; i < cfg.Concurrency; i++ {
		c := first
		if i > 0 {
			c = client.New(cfg.Endpoint)
		}
		l := &loop{c: c, h: h, log: log, setTraceEnv: cfg.Concurrency == 1, gone: gone, malformed: malformed}
		wg.Go(func() {
			if err := l.run(ctx); err != nil {
				cancel(err)
			}
		})
	}
	// Once stopping (SIGTERM or a fatal error), loops get the grace period
	// to answer what they hold; a loop stuck in user code that ignores the
	// stop (a hung call into a shared library) must not keep the runtime
	// alive: exiting lets Lambda answer for it and reset the sandbox.
	loopsDone := make(chan struct{})
	go func() { wg.Wait(); close(loopsDone) }()
	select {
	case <-loopsDone:
	case <-ctx.Done():
		select {
		case <-loopsDone:
		case <-time.After(ShutdownGrace + 50*time.Millisecond):
			log.Error("stopping with invocations still running in user code")
		}
	}
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("stopping", "err", err)
		return 1
	}
	log.Info("shutdown")
	return 0
}

type loop struct {
	c           *client.Client
	h           modes.Mode
	log         *slog.Logger
	setTraceEnv bool
	gone        *rateLimited // shared by the loops: one budget per process
	malformed   *rateLimited
}

// Backoff for a Runtime API that cannot be reached: about 1.3 s in all,
// then the runtime gives up and Lambda restarts the sandbox.
var nextBackoff = []time.Duration{5, 10, 20, 40, 80, 160, 320, 640}

func (l *loop) run(ctx context.Context) error {
	for {
		inv, err := l.next(ctx)
		l.c.NextSent = nil // the start's hook: once
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if err := l.handle(inv); err != nil {
			return err
		}
	}
}

func (l *loop) next(ctx context.Context) (*api.Invocation, error) {
	for attempt := 0; ; attempt++ {
		inv, err := l.c.Next(ctx)
		var ce *client.ConnError
		if err == nil || !errors.As(err, &ce) || attempt == len(nextBackoff) {
			return inv, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(nextBackoff[attempt] * time.Millisecond):
		}
	}
}

// handle runs one invocation and posts exactly one outcome. Its context is
// not the loop's: SIGTERM reaches user code through Handler.Shutdown, and
// the answer must still be posted afterwards.
func (l *loop) handle(inv *api.Invocation) error {
	if inv.MalformedInvocationID != "" {
		l.malformed.log(l.log, "malformed "+api.HeaderInvocationID+" from /next: not echoed", "request_id", inv.RequestID, "value", inv.MalformedInvocationID)
	}
	logInvoke(l.log, inv.RequestID, len(inv.Payload))
	if l.setTraceEnv {
		os.Setenv("_X_AMZN_TRACE_ID", inv.TraceID)
	}
	ctx := context.Background()
	if inv.DeadlineMs > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, time.UnixMilli(inv.DeadlineMs))
		defer cancel()
	}
	resp := l.h.Invoke(ctx, inv)
	post := context.Background() // posting must not be cut short by the deadline

	var err error
	switch {
	case resp.Err != nil:
		err = l.c.Fail(post, inv, api.InvocationBody(inv.RequestID, resp.Err))
	case resp.Stream != nil:
		err = l.c.RespondStream(post, inv, resp.ContentType, &failingStream{resp.Stream, inv.RequestID})
		resp.Stream.Close()
	case len(resp.Body) > api.MaxResponse:
		err = l.c.Fail(post, inv, api.ResponseTooLarge(int64(len(resp.Body))))
	default:
		err = l.c.Respond(post, inv, resp.Body, resp.ContentType)
	}

	if len(resp.Body) > 1<<20 || api.TypeOf(resp.Err) == api.ErrTypeResponseTooBig {
		// A multi-megabyte response leaves its buffers to the GC, and the
		// heap would keep the pages: hand them back so the sandbox's memory
		// stays flat. Costs one GC, only after large responses.
		defer debug.FreeOSMemory()
	}

	var se *client.StatusError
	if errors.As(err, &se) && se.Gone() {
		// The invocation timed out and its request id may be another's
		// now: the answer is dropped, never retried, and the loop goes on
		// (aws-lambda-dotnet PR #2508). Rate-limited, since a function that
		// keeps overrunning its timeout would fill the log.
		l.gone.log(l.log, "answer refused: the invocation is gone (it timed out); taking the next", "request_id", inv.RequestID, "invocation_id", inv.InvocationID)
		return nil
	}
	if errors.As(err, &se) && se.Status >= 500 {
		// "Container error. Non-recoverable state. Runtime should exit
		// promptly." (Runtime API spec); Lambda answers the invocation.
		return fmt.Errorf("posting the result of %s: %w", inv.RequestID, err)
	}
	if errors.As(err, &se) && resp.Err == nil {
		// Refused (413 or another answer): never drop it silently; tell
		// Lambda with an error post so the caller sees why.
		l.log.Error("response refused", "request_id", inv.RequestID, "status", se.Status, "body", se.Body)
		typ := api.ErrTypeAPIRefused
		if se.Status == 413 {
			typ = api.ErrTypeResponseTooBig
		}
		err = l.c.Fail(post, inv, api.NewError(typ, se.Error()))
	}
	if err != nil {
		var ce *client.ConnError
		if errors.As(err, &ce) {
			return fmt.Errorf("posting the result of %s: %w", inv.RequestID, err)
		}
		l.log.Error("result refused", "request_id", inv.RequestID, "err", err)
	}
	return nil
}

// failingStream words a streamed response's typed failure as the
// invocation's error (api.InvocationBody), for the client to report in the
// trailers; an error without a Lambda type is left as it is, and the client
// reports it as a truncated response.
type failingStream struct {
	io.Reader
	requestID string
}

func (s *failingStream) Read(p []byte) (int, error) {
	n, err := s.Reader.Read(p)
	if err != nil && api.TypeOf(err) != "" {
		err = api.InvocationBody(s.requestID, err)
	}
	return n, err
}
