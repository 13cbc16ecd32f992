// Package sandbox runs a function the way Lambda does, on this machine: the
// emulator serves the Runtime API on a loopback port, and the runtime runs
// as its own process against it — started lazily on the first invocation,
// restarted after it dies or after a timeout, as Lambda resets an
// execution environment. runtime-init invoke/serve, the tests and the
// benchmarks all use it.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/platform"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/telemetry"
	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/procgroup"
)

// Options describe the runtime process and the function.
type Options struct {
	// Command starts the runtime: e.g. {"/usr/bin/faas-runtime", "handler",
	// "arg"}. AWS_LAMBDA_RUNTIME_API is added to its environment.
	Command []string
	Env     []string      // added to os.Environ() for the runtime process
	Dir     string        // its working directory
	Timeout time.Duration // function timeout; default 3 s
	Listen  string        // emulator address; default 127.0.0.1:0
	Stdout  io.Writer     // the runtime's stdout; default os.Stderr
	Stderr  io.Writer     // the runtime's stderr (function logs); default os.Stderr
	// RuntimeAPI is the address the runtime and extensions are told
	// (AWS_LAMBDA_RUNTIME_API); default Listen's. Set it when something
	// sits between them and the emulator: a Runtime API proxy that
	// forwards to Addr.
	RuntimeAPI string
	// Function settings; each falls back to its variable in Env, then in
	// this process's environment, then to the default (see settings.go).
	FunctionName   string // AWS_LAMBDA_FUNCTION_NAME; default "function"
	MemoryMB       int    // AWS_LAMBDA_FUNCTION_MEMORY_SIZE; default 128
	Handler        string // _HANDLER unless the user's environment sets it; default Command's last argument, as RIE
	MaxConcurrency int    // AWS_LAMBDA_MAX_CONCURRENCY: Managed Instances mode when set
	// SnapStart tells the runtime AWS_LAMBDA_INITIALIZATION_TYPE=snap-start
	// (else "on-demand"): it runs its before-checkpoint hooks, the restore
	// phase and its after-restore hooks before the first invocation.
	SnapStart bool
	// Observe is told each step of every invocation (emulator.Config's
	// Observe); tests keep an emulatortest.Ledger with it.
	Observe func(emulator.Event)
	// Report writes Lambda's own lines into the function's log (Stderr):
	// START and END, REPORT with measured durations and Max Memory Used,
	// INIT_REPORT for a failed init.
	Report bool
	// Extensions are external extensions, started as Lambda starts the
	// files in /opt/extensions: before the runtime, with no arguments and
	// argv[0] /opt/extensions/<name>; the runtime starts once all have
	// registered.
	Extensions []Extension
}

// Extension is one external extension: an executable and the file name it
// would have in /opt/extensions (default: the executable's).
type Extension struct {
	Path string
	Name string
}

// ExtensionRegisterTimeout is how long the sandbox waits for extensions to
// register before it fails the init.
const ExtensionRegisterTimeout = 5 * time.Second

// telemetryFlush bounds the delivery of buffered telemetry before SHUTDOWN.
const telemetryFlush = 300 * time.Millisecond

// extensionGrace is how long extensions get to exit after SHUTDOWN when
// their environment ends (Lambda gives 300 ms to 2 s).
const extensionGrace = 500 * time.Millisecond

// extProc is one running extension.
type extProc struct {
	name   string
	cmd    *exec.Cmd
	exited chan struct{}
	status string // set before exited closes
}

// Sandbox is one emulated execution environment.
type Sandbox struct {
	opts Options
	fn   settings
	emu  *emulator.Emulator
	ln   net.Listener
	srv  *http.Server

	plog *platformLog
	hub  *telemetry.Hub // the environment's Telemetry API and Logs API subscriptions
	// extStdout and extStderr are the extensions' output writers.
	extStdout, extStderr io.Writer
	pipes                []*logPipe // the four above and the runtime's, into the log stream
	// Init timing, for REPORT's Init Duration; guarded by initMu, not mu:
	// the emulator reports readiness while holding its own lock, and mu is
	// held around calls into the emulator.
	initMu       sync.Mutex
	envStart     time.Time     // when the current environment began its init
	ready        bool          // its runtime asked for its first event
	coldStart    time.Duration // its init duration, until a REPORT takes it
	restoreStart time.Time     // SnapStart: when its restore phase began

	mu      sync.Mutex
	proc    *exec.Cmd
	exited  chan struct{} // closed when proc has exited
	exts    []*extProc    // the current environment's extensions
	cause   string        // why the environment is being torn down (an extension crashed)
	stream  string        // the environment's log stream name
	starts  int
	closing bool
	lastRC  int
	exits   int
}

// Start serves the emulator; the runtime starts with the first Invoke.
func Start(o Options) (*Sandbox, error) {
	if len(o.Command) == 0 {
		return nil, errors.New("no runtime command")
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.Stdout == nil {
		o.Stdout = os.Stderr
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	fn, err := resolveSettings(o)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", o.Listen, err)
	}
	s := &Sandbox{opts: o, fn: fn, ln: ln, plog: newPlatformLog(o.Stderr, o.Report, fn.jsonLogs), hub: telemetry.NewHub()}
	// The runtime's output is the function's log, the extensions' theirs:
	// both go to the log stream, and to Telemetry API subscribers as
	// function and extension events.
	outputs := []*io.Writer{&s.opts.Stdout, &s.opts.Stderr, &s.extStdout, &s.extStderr}
	for i, dst := range []io.Writer{
		io.MultiWriter(s.plog.tap(o.Stdout), telemetry.NewLines(s.hub, platform.TypeFunction)),
		io.MultiWriter(s.plog.tap(o.Stderr), telemetry.NewLines(s.hub, platform.TypeFunction)),
		io.MultiWriter(s.plog.tap(o.Stdout), telemetry.NewLines(s.hub, platform.TypeExtension)),
		io.MultiWriter(s.plog.tap(o.Stderr), telemetry.NewLines(s.hub, platform.TypeExtension)),
	} {
		p, err := newLogPipe(dst)
		if err != nil {
			s.closePipes()
			ln.Close()
			return nil, fmt.Errorf("the environment's log pipes: %w", err)
		}
		s.pipes = append(s.pipes, p)
		*outputs[i] = p.writer()
	}
	s.emu = emulator.New(emulator.Config{
		FunctionName:   fn.name,
		Region:         fn.region,
		AccountID:      fn.accountID,
		Handler:        fn.handler,
		Timeout:        o.Timeout,
		MaxConcurrency: fn.maxConcurrency,
		Observe:        s.observe,
		Telemetry:      s.hub,
		BeforeInvoke:   s.ensureRunning,
		OnTimeout:      func(string) { s.kill() },
	})
	s.srv = &http.Server{Handler: s.emu.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Addr is the emulator's host:port: the Runtime API and the RIE invoke
// endpoint (POST /2015-03-31/functions/function/invocations).
func (s *Sandbox) Addr() string { return s.ln.Addr().String() }

// Emulator is the environment's emulator.
func (s *Sandbox) Emulator() *emulator.Emulator { return s.emu }

// Starts counts runtime process starts (1 + restarts).
func (s *Sandbox) Starts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.starts
}

// StartRuntime runs the runtime now instead of on the first invocation.
func (s *Sandbox) StartRuntime(ctx context.Context) error { return s.ensureRunning(ctx) }

// ensureRunning starts the runtime process unless it is running.
func (s *Sandbox) ensureRunning(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return errors.New("sandbox is closed")
	}
	if s.proc != nil {
		return nil
	}
	s.emu.RuntimeStarted() // a new execution environment
	s.initMu.Lock()
	s.envStart, s.ready, s.coldStart = time.Now(), false, 0
	s.initMu.Unlock()
	s.telemetryInitStart()
	s.cause = ""
	s.stream = s.fn.logStream
	if s.stream == "" {
		s.stream = newLogStream(s.fn.version)
	}
	if ae := s.startExtensions(); ae != nil {
		s.emu.FailInit(ae)
		s.initEnded(ae.Type)
		return nil // the invocation gets the init error, as from Lambda
	}
	cmd, err := s.startProcess(s.opts.Stdout, s.opts.Stderr, s.opts.Command[0], s.opts.Command[0], s.opts.Command[1:]...)
	if err != nil {
		s.endExtensions(s.exts, "failure")
		s.exts = nil
		return fmt.Errorf("starting the runtime %s: %w", s.opts.Command[0], err)
	}
	s.proc, s.exited = cmd, make(chan struct{})
	s.starts++
	go s.watch(cmd, s.exited)
	return nil
}

// startProcess starts one process of the environment (the runtime or an
// extension) as Lambda does: in the function's directory, with its
// environment and log writers, in a process group of its own so that
// ending it ends what it started.
func (s *Sandbox) startProcess(stdout, stderr io.Writer, path, argv0 string, args ...string) (*exec.Cmd, error) {
	cmd := exec.Command(path, args...)
	cmd.Args[0] = argv0
	cmd.Dir = s.opts.Dir
	cmd.Env = s.environ()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	procgroup.IsolateTied(cmd) // killed with runtime-init, even by SIGKILL
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return cmd, nil
}

// environ is the environment Lambda gives the runtime and extensions:
// the user's, then the function's settings (which already honour the
// user's values) and the Runtime API's address, which only the sandbox
// knows.
func (s *Sandbox) environ() []string {
	env := append(append(os.Environ(), s.opts.Env...),
		"AWS_LAMBDA_RUNTIME_API="+s.runtimeAPI(),
		"AWS_LAMBDA_FUNCTION_TIMEOUT="+strconv.Itoa(int(s.emu.Timeout()/time.Second)))
	return append(env, s.fn.environ(s.stream)...)
}

// runtimeAPI is the address the environment's processes are given.
func (s *Sandbox) runtimeAPI() string {
	if s.opts.RuntimeAPI != "" {
		return s.opts.RuntimeAPI
	}
	return s.Addr()
}

// startExtensions starts the extensions and waits until all have
// registered; the caller holds s.mu. A failure is the environment's init
// error, with Lambda's error types.
func (s *Sandbox) startExtensions() *api.Error {
	s.exts = nil
	if len(s.opts.Extensions) == 0 {
		return nil
	}
	anyExited := make(chan *extProc, len(s.opts.Extensions))
	for _, ext := range s.opts.Extensions {
		path, name := ext.Path, ext.Name
		if name == "" {
			name = filepath.Base(path)
		}
		// argv[0] is how Lambda starts it; the extension may look.
		cmd, err := s.startProcess(s.extStdout, s.extStderr, path, "/opt/extensions/"+name)
		if err != nil {
			s.endExtensions(s.exts, "failure")
			s.exts = nil
			return api.NewError(emulator.ErrTypeExtLaunchError, fmt.Sprintf("cannot start extension %s: %v", path, err))
		}
		x := &extProc{name: name, cmd: cmd, exited: make(chan struct{})}
		s.exts = append(s.exts, x)
		go s.watchExtension(x, anyExited)
	}
	ctx, cancel := context.WithTimeout(context.Background(), ExtensionRegisterTimeout)
	defer cancel()
	registered := make(chan error, 1)
	go func() { registered <- s.emu.WaitExtensions(ctx, len(s.exts)) }()
	var ae *api.Error
	select {
	case err := <-registered:
		if err != nil {
			ae = api.NewError(emulator.ErrTypeExtInitError, fmt.Sprintf("extensions did not register within %s: %v", ExtensionRegisterTimeout, err))
		}
	case x := <-anyExited:
		cancel()
		<-registered
		if ie := s.emu.InitError(); ie != nil {
			ae = ie // it said why before exiting (/extension/init/error)
		} else {
			ae = api.NewError(emulator.ErrTypeExtCrash, fmt.Sprintf("extension %s exited during init: %s", x.name, x.status))
		}
	}
	if ae != nil {
		s.endExtensions(s.exts, "failure")
		s.exts = nil
	}
	return ae
}

// watchExtension reaps an extension. One that ends while its environment
// is serving takes the environment down, as in Lambda (Extension.Crash).
func (s *Sandbox) watchExtension(x *extProc, anyExited chan<- *extProc) {
	err := x.cmd.Wait()
	x.status = "exit status 0"
	if err != nil {
		x.status = err.Error()
	}
	close(x.exited)
	anyExited <- x
	s.mu.Lock()
	current := false
	for _, y := range s.exts {
		current = current || y == x
	}
	proc := s.proc
	if current && proc != nil && s.cause == "" {
		s.cause = "extension " + x.name + " exited: " + x.status
	}
	s.mu.Unlock()
	if current && proc != nil {
		procgroup.KillGroup(proc)
	}
}

// endExtensions sends SHUTDOWN to the extensions that asked for it, gives
// them extensionGrace to exit, then kills them.
func (s *Sandbox) endExtensions(exts []*extProc, reason string) {
	if len(exts) == 0 {
		return
	}
	s.hub.Flush(telemetryFlush) // what subscribers hold goes out before SHUTDOWN
	s.emu.Shutdown(reason, time.Now().Add(extensionGrace))
	deadline := time.After(extensionGrace)
	for _, x := range exts {
		select {
		case <-x.exited:
		case <-deadline:
			procgroup.KillGroup(x.cmd)
			<-x.exited
		}
	}
}

// watch reaps the runtime process, ends its environment's extensions and
// fails what it held.
func (s *Sandbox) watch(cmd *exec.Cmd, exited chan struct{}) {
	err := cmd.Wait()
	status := "exit status 0"
	if err != nil {
		status = err.Error()
	}
	s.mu.Lock()
	exts, stopping := s.exts, s.closing
	if s.cause != "" {
		status = s.cause
	}
	s.mu.Unlock()
	reason := "failure"
	if stopping || status == "exit status 0" {
		reason = "spindown"
	}
	s.endExtensions(exts, reason)
	// The environment ends with its runtime, as in Lambda: nothing the
	// function started may outlive it (a timeout's SIGKILL to the
	// runtime's group does not reach the function's own group).
	killLeftovers(s.runtimeAPI())
	// Tell the emulator while still holding the lock, before proc is
	// cleared: otherwise an invocation could start the next runtime in
	// between, and this late notice would mark that one dead.
	if !stopping {
		errType := ""
		if ie := s.emu.InitError(); ie != nil {
			errType = ie.Type
		}
		s.initEnded(errType)
	}
	s.mu.Lock()
	s.exits++
	s.emu.RuntimeExited(status)
	if s.proc == cmd {
		s.proc, s.exts = nil, nil
	}
	s.lastRC = cmd.ProcessState.ExitCode()
	s.mu.Unlock()
	close(exited)
	// Events still queued wait for a runtime: start a fresh one, as Lambda
	// starts a new execution environment.
	if s.emu.Pending() > 0 {
		_ = s.ensureRunning(context.Background())
	}
}

// kill ends the runtime and everything it started (after a timeout).
func (s *Sandbox) kill() {
	s.mu.Lock()
	cmd, exited := s.proc, s.exited
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	procgroup.KillGroup(cmd)
	<-exited
}

// Stop sends SIGTERM to the runtime, as Lambda does at shutdown, and waits
// up to grace for it to exit before killing it. It returns the exit error.
func (s *Sandbox) Stop(grace time.Duration) error {
	s.mu.Lock()
	cmd, exited := s.proc, s.exited
	s.mu.Unlock()
	if cmd == nil {
		return nil
	}
	s.hub.Flush(telemetryFlush)
	s.emu.Shutdown("spindown", time.Now().Add(grace))
	procgroup.TermProcess(cmd.Process)
	select {
	case <-exited:
	case <-time.After(grace):
		procgroup.KillGroup(cmd)
		<-exited
	}
	if cmd.ProcessState != nil && !cmd.ProcessState.Success() {
		return fmt.Errorf("runtime %s", cmd.ProcessState)
	}
	return nil
}

// Exits counts runtime processes that have ended; it is incremented
// before the invocations they held are failed.
func (s *Sandbox) Exits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exits
}

// PID is the running runtime process's id, or 0.
func (s *Sandbox) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return 0
	}
	return s.proc.Process.Pid
}

// Running reports whether a runtime process is running.
func (s *Sandbox) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc != nil
}

// LastExitCode is the exit code of the last runtime process that ended
// (-1 when it was killed by a signal).
func (s *Sandbox) LastExitCode() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastRC
}

// closeGrace is how long Close gives the runtime after SIGTERM; with the
// server's shutdown it keeps Ctrl-C on serve under 2 s.
const closeGrace = time.Second

// Close stops the runtime and the emulator.
func (s *Sandbox) Close() error {
	// First: a runtime ending now must not be restarted for queued events
	// (watch would start one that nothing stops).
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	err := s.Stop(closeGrace)
	// Invokers still waiting (events queued behind the one that ran) see
	// the connection close rather than keep Close waiting for them.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if s.srv.Shutdown(ctx) != nil {
		_ = s.srv.Close()
	}
	s.closePipes()
	return err
}

// closePipes ends the log pipes, passing on what is still in them.
func (s *Sandbox) closePipes() {
	var wg sync.WaitGroup
	for _, p := range s.pipes {
		wg.Go(p.close)
	}
	wg.Wait()
}

// drainLogs waits (briefly) until what the environment's processes have
// written is in the log stream.
func (s *Sandbox) drainLogs() {
	for _, p := range s.pipes {
		p.drain(50 * time.Millisecond)
	}
}

// ExtensionPIDs are the process ids of the running extensions.
func (s *Sandbox) ExtensionPIDs() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var pids []int
	for _, x := range s.exts {
		pids = append(pids, x.cmd.Process.Pid)
	}
	return pids
}

// FunctionName is the function's name in force.
func (s *Sandbox) FunctionName() string { return s.fn.name }

// Region is the function's region.
func (s *Sandbox) Region() string { return s.fn.region }

// AccountID is the function's account.
func (s *Sandbox) AccountID() string { return s.fn.accountID }
