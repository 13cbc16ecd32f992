// Package execmode runs the handler executable once per invocation: the
// event on its stdin, the response from its stdout, its stderr streamed to
// the runtime's (CloudWatch) log, the invocation context in its environment.
package execmode

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
	"github.com/faas-runtime/faas-runtime/runtime/procgroup"
)

func init() { modes.Register(modes.Exec, New) }

// Environment variables that carry the invocation context to the process.
const (
	EnvRequestID       = "LAMBDA_REQUEST_ID"
	EnvDeadlineMs      = "LAMBDA_DEADLINE_MS"
	EnvFunctionARN     = "LAMBDA_FUNCTION_ARN"
	EnvTraceID         = "_X_AMZN_TRACE_ID" // the name X-Ray SDKs read
	EnvClientContext   = "LAMBDA_CLIENT_CONTEXT"
	EnvCognitoIdentity = "LAMBDA_COGNITO_IDENTITY"
	EnvTenantID        = "LAMBDA_TENANT_ID"
)

// Mode is the exec handler mode.
type Mode struct {
	path    string
	args    []string
	wrapper string   // AWS_LAMBDA_EXEC_WRAPPER: the child is started through it
	argv    []string // what is started: the wrapper, if any, then path and args
	getenv  func(string) string
	stream  bool // FAAS_EXEC_INVOKE_MODE=response_stream
	envOnce sync.Once
	baseEnv []string // the runtime's environment, copied at the first invocation
	log     *slog.Logger

	stopping chan struct{} // closed by Shutdown: forward SIGTERM
	stopOnce sync.Once
	running  sync.WaitGroup
}

// New builds the exec mode from the bootstrap's configuration.
func New(cfg modes.Config) (modes.Mode, error) {
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	wrapper := modes.ExecWrapper(cfg.Getenv)
	return &Mode{path: cfg.Command[0], args: cfg.Command[1:], wrapper: wrapper, argv: modes.Wrapped(wrapper, cfg.Command),
		getenv: cfg.Getenv, stream: streaming(cfg.Getenv), log: cfg.Log, stopping: make(chan struct{})}, nil
}

// Init checks that the handler is an executable file, so a bad image fails
// at init (one /init/error) instead of on every invocation.
func (e *Mode) Init(context.Context) error {
	if err := modes.CheckExecWrapper(e.wrapper); err != nil {
		return err
	}
	if err := modes.CheckHandlerFile(e.path, "an executable", true); err != nil {
		return err
	}
	if in := missingInterpreter(e.path); in != "" {
		return interpreterError(e.path, in)
	}
	return nil
}

func interpreterError(script, interp string) error {
	return api.Errorf(api.ErrTypeInvalidHandler, "handler %s is a script for %s (its #! line), which does not exist here: use a base image that has %s, or make the handler a binary", script, interp, interp)
}

// Invoke runs the executable once.
func (e *Mode) Invoke(ctx context.Context, inv *api.Invocation) modes.Response {
	if e.stream {
		return e.invokeStream(ctx, inv)
	}
	e.running.Add(1)
	defer e.running.Done()

	cmd := exec.Command(e.argv[0], e.argv[1:]...)
	stdin, release := stdinFor(inv.Payload)
	defer release()
	cmd.Stdin = stdin
	out := &cappedBuffer{limit: api.MaxResponse}
	cmd.Stdout = out
	errTail := modes.NewTail(os.Stderr, modes.StderrTail)
	cmd.Stderr = errTail
	cmd.Env = e.env(inv)
	cmd.WaitDelay = 100 * time.Millisecond // don't wait forever on pipes a detached grandchild holds
	procgroup.Isolate(cmd)

	if err := cmd.Start(); err != nil {
		if in := missingInterpreter(e.path); in != "" {
			return modes.Fail(api.ErrTypeInvalidHandler, "cannot start %s: it is a script for %s (its #! line), which does not exist here", e.path, in)
		}
		return modes.Fail(api.ErrTypeInvalidHandler, "cannot start %s: %v", e.path, err)
	}
	release() // the child has its own copy of the pipe's read end
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	termAt, killAfter := stopSchedule(ctx)
	var waitErr error
	var cause string
	select {
	case waitErr = <-done:
	case <-termAt:
		cause = "timeout"
		waitErr = stop(cmd, done, killAfter)
	case <-e.stopping:
		cause = "shutdown"
		waitErr = stop(cmd, done, 200*time.Millisecond)
	}

	switch {
	case cause == "timeout":
		return modes.Response{Err: api.TimedOut(inv.Budget())}
	case cause == "shutdown" && waitErr != nil:
		return modes.Fail(api.ErrTypeExit, "the runtime is shutting down (SIGTERM); the function was stopped%s", errTail.Note())
	}
	if waitErr != nil && !errors.Is(waitErr, exec.ErrWaitDelay) {
		return modes.Fail(api.ErrTypeExit, "Runtime exited with error: %s%s", exitDescription(waitErr), errTail.Note())
	}
	if out.total > api.MaxResponse {
		return modes.Response{Err: api.ResponseTooLarge(out.total)}
	}
	return modes.Response{Body: out.buf.Bytes(), ContentType: "application/json"}
}

// stdinDirect is the largest event written into the stdin pipe before the
// process starts: it must fit the pipe's buffer (64 KiB on Linux), so the
// write cannot block. Larger events, and other systems, go through os/exec's
// copying goroutine.
const stdinDirect = 60 << 10

// stdinFor returns the function's stdin. Most events are small: they are
// written into a pipe up front, which spares a goroutine and a scheduling
// round trip per invocation. release closes the parent's read end; it may
// be called twice.
func stdinFor(payload []byte) (io.Reader, func()) {
	if runtime.GOOS != "linux" || len(payload) > stdinDirect {
		return bytes.NewReader(payload), func() {}
	}
	r, w, err := os.Pipe()
	if err != nil {
		return bytes.NewReader(payload), func() {}
	}
	_, werr := w.Write(payload)
	w.Close()
	if werr != nil {
		r.Close()
		return bytes.NewReader(payload), func() {}
	}
	var once sync.Once
	return r, func() { once.Do(func() { r.Close() }) }
}

// stopSchedule returns when to send SIGTERM, and how long to wait after it
// before SIGKILL, so that the error is posted before Lambda's deadline.
func stopSchedule(ctx context.Context) (<-chan time.Time, time.Duration) {
	dl, ok := ctx.Deadline()
	if !ok {
		return nil, 0
	}
	remaining := time.Until(dl)
	margin := modes.AnswerMargin(remaining)
	return time.After(remaining - margin), margin / 2
}

// stop sends SIGTERM to the process group, then SIGKILL after grace.
func stop(cmd *exec.Cmd, done <-chan error, grace time.Duration) error {
	procgroup.TermGroup(cmd)
	select {
	case err := <-done:
		return err
	case <-time.After(grace):
		procgroup.KillGroup(cmd)
		return <-done
	}
}

// Shutdown forwards SIGTERM to running processes (through the stopping
// channel) and waits for their invocations to be answered.
func (e *Mode) Shutdown(ctx context.Context) error {
	e.stopOnce.Do(func() { close(e.stopping) })
	idle := make(chan struct{})
	go func() { e.running.Wait(); close(idle) }()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return errors.New("exec mode: invocations still running at shutdown")
	}
}

// env is the function's environment: the runtime's own, copied once and
// not before the first invocation needs it (the first /next does not),
// plus the invocation's context.
func (e *Mode) env(inv *api.Invocation) []string {
	e.envOnce.Do(func() {
		// The loop has set the first invocation's trace id in the
		// runtime's environment by now: it is appended per invocation.
		e.baseEnv = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, EnvTraceID+"=") })
	})
	env := make([]string, len(e.baseEnv), len(e.baseEnv)+7)
	copy(env, e.baseEnv)
	return append(env,
		EnvRequestID+"="+inv.RequestID,
		EnvDeadlineMs+"="+strconv.FormatInt(inv.DeadlineMs, 10),
		EnvFunctionARN+"="+inv.FunctionARN,
		EnvTraceID+"="+inv.TraceID,
		EnvClientContext+"="+inv.ClientContext,
		EnvCognitoIdentity+"="+inv.CognitoIdentity,
		EnvTenantID+"="+inv.TenantID,
	)
}

func exitDescription(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ProcessState.String() // "exit status 3" or "signal: killed"
	}
	return err.Error()
}

// cappedBuffer keeps up to limit bytes and counts the rest, so a runaway
// function cannot make the runtime buffer more than Lambda would accept.
type cappedBuffer struct {
	buf   bytes.Buffer
	limit int
	total int64
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	c.total += int64(len(p))
	if room := c.limit + 1 - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
