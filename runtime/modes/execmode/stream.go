package execmode

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
	"github.com/faas-runtime/faas-runtime/runtime/procgroup"
)

// EnvInvokeMode chooses how the function's stdout becomes the response,
// with the values of AWS Lambda Web Adapter's AWS_LWA_INVOKE_MODE:
// "buffered" (the default: read whole, up to 6 MB, then posted) or
// "response_stream" (streamed to Lambda as the function writes it, up to
// Lambda's 200 MB streaming limit, never held whole in memory).
const EnvInvokeMode = "FAAS_EXEC_INVOKE_MODE"

// streaming reads EnvInvokeMode; anything but response_stream is buffered.
func streaming(getenv func(string) string) bool {
	return strings.EqualFold(strings.TrimSpace(getenv(EnvInvokeMode)), "response_stream")
}

// invokeStream runs the executable with its stdout as the response
// stream. An exit status other than 0, a timeout or a shutdown after the
// first byte ends the stream with the error in the trailers, as Lambda
// expects of a streamed response.
func (e *Mode) invokeStream(ctx context.Context, inv *api.Invocation) modes.Response {
	e.running.Add(1)
	pr, pw, err := os.Pipe()
	if err != nil {
		e.running.Done()
		return modes.Fail(api.ErrTypeExit, "cannot make the stdout pipe: %v", err)
	}
	cmd := exec.Command(e.argv[0], e.argv[1:]...)
	stdin, release := stdinFor(inv.Payload)
	defer release()
	cmd.Stdin = stdin
	// An *os.File: the child writes into the pipe itself, with no copying
	// goroutine in between, and Wait can run while the stream is read.
	cmd.Stdout = pw
	tail := modes.NewTail(os.Stderr, modes.StderrTail)
	cmd.Stderr = tail
	cmd.Env = e.env(inv)
	procgroup.Isolate(cmd)
	if err := cmd.Start(); err != nil {
		pr.Close()
		pw.Close()
		e.running.Done()
		return modes.Fail(api.ErrTypeInvalidHandler, "cannot start %s: %v", e.path, err)
	}
	pw.Close() // the child has its own copy: EOF comes when it (and its children) close theirs
	release()
	s := &execStream{r: pr, tail: tail, budget: inv.Budget(), ended: make(chan struct{}), release: e.running.Done}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	go s.watch(ctx, cmd, done, e.stopping)
	return modes.Response{Stream: s, ContentType: "application/octet-stream"}
}

// execStream is the function's stdout; after its end, how the process
// ended decides whether the stream completed or failed.
type execStream struct {
	r       *os.File
	tail    *modes.Tail
	budget  time.Duration
	ended   chan struct{} // closed by watch once cause and waitErr are set
	cause   string        // "timeout" or "shutdown" when the runtime stopped it
	waitErr error
	once    sync.Once
	release func()
}

// watch waits for the process, stopping it at the deadline or at SIGTERM.
func (s *execStream) watch(ctx context.Context, cmd *exec.Cmd, done <-chan error, stopping <-chan struct{}) {
	termAt, killAfter := stopSchedule(ctx)
	select {
	case s.waitErr = <-done:
	case <-termAt:
		s.cause = "timeout"
		s.waitErr = stop(cmd, done, killAfter)
	case <-stopping:
		s.cause = "shutdown"
		s.waitErr = stop(cmd, done, 200*time.Millisecond)
	}
	close(s.ended)
}

// orphanWait is how long the stream waits for more bytes once the
// function has ended: a detached grandchild that keeps stdout open must
// not hold the invocation (buffered mode's WaitDelay, for the same case).
const orphanWait = 100 * time.Millisecond

func (s *execStream) Read(p []byte) (int, error) {
	select {
	case <-s.ended:
		// What the function wrote before it ended is still read whole:
		// the deadline only cuts a wait on an empty pipe.
		_ = s.r.SetReadDeadline(time.Now().Add(orphanWait))
	default:
	}
	n, err := s.r.Read(p)
	if err == nil || n > 0 {
		return n, nil
	}
	<-s.ended
	switch {
	case s.cause == "timeout":
		return 0, api.TimedOut(s.budget)
	case s.cause == "shutdown":
		return 0, api.Errorf(api.ErrTypeExit, "the runtime is shutting down (SIGTERM); the function was stopped%s", s.tail.Note())
	case s.waitErr != nil && !errors.Is(s.waitErr, exec.ErrWaitDelay):
		return 0, api.Errorf(api.ErrTypeExit, "Runtime exited with error: %s%s", exitDescription(s.waitErr), s.tail.Note())
	}
	return 0, io.EOF
}

// Close ends the stream; a function still writing (the post failed) gets
// EPIPE and ends, and the invocation counts as done once it has.
func (s *execStream) Close() error {
	s.once.Do(func() {
		s.r.Close()
		go func() { <-s.ended; s.release() }()
	})
	return nil
}
