// Package local runs a function the way Lambda does, on this machine: the
// emulator serves the Runtime API on a loopback port, and the runtime runs
// as its own process against it — started lazily on the first invocation,
// restarted after it dies or after a timeout, as Lambda resets an
// execution environment. runtime-init invoke/serve, the tests and the
// benchmarks all use it.
package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/emulator"
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
	// Wrap, when set, wraps the emulator's handler: fault injection between
	// the runtime and the Runtime API, for the soak test.
	Wrap func(http.Handler) http.Handler
}

// Sandbox is one emulated execution environment.
type Sandbox struct {
	opts Options
	emu  *emulator.Emulator
	ln   net.Listener
	srv  *http.Server

	mu      sync.Mutex
	proc    *exec.Cmd
	exited  chan struct{} // closed when proc has exited
	starts  int
	closing bool
	lastRC  int
	exits   int
}

// Start serves the emulator; the runtime starts with the first Invoke.
func Start(o Options) (*Sandbox, error) {
	if len(o.Command) == 0 {
		return nil, errors.New("local: no runtime command")
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
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return nil, fmt.Errorf("emulator: listen on %s: %w", o.Listen, err)
	}
	s := &Sandbox{opts: o, ln: ln}
	s.emu = emulator.New(emulator.Config{
		Timeout:      o.Timeout,
		BeforeInvoke: s.ensureRunning,
		OnTimeout:    func(string) { s.kill() },
	})
	h := s.emu.Handler()
	if o.Wrap != nil {
		h = o.Wrap(h)
	}
	s.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Addr is the emulator's host:port: the Runtime API and the RIE invoke
// endpoint (POST /2015-03-31/functions/function/invocations).
func (s *Sandbox) Addr() string { return s.ln.Addr().String() }

// Emulator gives access to the ledger.
func (s *Sandbox) Emulator() *emulator.Emulator { return s.emu }

// Starts counts runtime process starts (1 + restarts).
func (s *Sandbox) Starts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.starts
}

// Invoke runs one invocation.
func (s *Sandbox) Invoke(ctx context.Context, payload []byte, opts emulator.InvokeOptions) (*emulator.Result, error) {
	return s.emu.Invoke(ctx, payload, opts)
}

// StartRuntime runs the runtime now instead of on the first invocation.
func (s *Sandbox) StartRuntime(ctx context.Context) error { return s.ensureRunning(ctx) }

// ensureRunning starts the runtime process unless it is running.
func (s *Sandbox) ensureRunning(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return errors.New("local: sandbox is closed")
	}
	if s.proc != nil {
		return nil
	}
	cmd := exec.Command(s.opts.Command[0], s.opts.Command[1:]...)
	cmd.Dir = s.opts.Dir
	cmd.Env = append(append(os.Environ(), s.opts.Env...),
		"AWS_LAMBDA_RUNTIME_API="+s.Addr(),
		"AWS_LAMBDA_FUNCTION_TIMEOUT="+strconv.Itoa(int(s.emu.Timeout()/time.Second)),
		"AWS_LAMBDA_FUNCTION_NAME=function",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_REGION=us-east-1",
	)
	cmd.Stdout, cmd.Stderr = s.opts.Stdout, s.opts.Stderr
	procgroup.Isolate(cmd, false)
	s.emu.RuntimeStarted()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("local: starting the runtime %s: %w", s.opts.Command[0], err)
	}
	s.proc, s.exited = cmd, make(chan struct{})
	s.starts++
	go s.watch(cmd, s.exited)
	return nil
}

// watch reaps the runtime process and fails what it held.
func (s *Sandbox) watch(cmd *exec.Cmd, exited chan struct{}) {
	err := cmd.Wait()
	status := "exit status 0"
	if err != nil {
		status = err.Error()
	}
	// Tell the emulator while still holding the lock, before proc is
	// cleared: otherwise an invocation could start the next runtime in
	// between, and this late notice would mark that one dead.
	s.mu.Lock()
	s.exits++
	s.emu.RuntimeExited(status)
	if s.proc == cmd {
		s.proc = nil
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
	procgroup.Signal(cmd, true)
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
	procgroup.Terminate(cmd.Process)
	select {
	case <-exited:
	case <-time.After(grace):
		procgroup.Signal(cmd, true)
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

// CloseServer stops the Runtime API without stopping the runtime: the
// Runtime API going away, for tests of what the runtime does then.
func (s *Sandbox) CloseServer() {
	s.srv.Close()
}

// Close stops the runtime and the emulator.
func (s *Sandbox) Close() error {
	err := s.Stop(2 * time.Second)
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	return err
}
