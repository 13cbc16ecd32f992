package httpmode

import (
	"errors"
	"os"
	"os/exec"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/modes"
	"github.com/faas-runtime/faas-runtime/runtime/procgroup"
)

// child is one run of the web app. Its stdout and stderr go straight to the
// runtime's (the function's log); the last lines of stderr are kept for
// error messages.
type child struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed after Wait
	status string        // "exit status 1", set before exited closes
	tail   *modes.Tail
}

func startChild(argv []string, env []string) (*child, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stdout = os.Stdout
	tail := modes.NewTail(os.Stderr, modes.StderrTail)
	cmd.Stderr = tail
	cmd.WaitDelay = 100 * time.Millisecond // a grandchild holding the pipes must not block Wait
	procgroup.IsolateTied(cmd)             // the app must not outlive the runtime that answers for it
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, exited: make(chan struct{}), tail: tail}
	go func() {
		err := cmd.Wait()
		c.status = "exit status 0"
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			c.status = ee.ProcessState.String()
		case err != nil:
			c.status = err.Error()
		}
		close(c.exited)
	}()
	return c, nil
}

// dead, exitedChan, stop and stderrNote accept a nil child: an app that
// Lambda started (extension role) is not ours to watch or stop.
func (c *child) dead() bool {
	if c == nil {
		return false
	}
	select {
	case <-c.exited:
		return true
	default:
		return false
	}
}

// exitedChan is closed when the app exits; never, for a nil child.
func (c *child) exitedChan() <-chan struct{} {
	if c == nil {
		return nil
	}
	return c.exited
}

// stop sends SIGTERM to the app's process group, then SIGKILL after grace.
func (c *child) stop(grace time.Duration) {
	if c == nil || c.dead() {
		return
	}
	procgroup.TermGroup(c.cmd)
	select {
	case <-c.exited:
	case <-time.After(grace):
		procgroup.KillGroup(c.cmd)
		<-c.exited
	}
}

// describe says how the app ended, with its last stderr lines.
func (c *child) describe() string {
	return "the web app (" + c.cmd.Path + ") exited: " + c.status + c.tail.Note()
}

// stderrNote is the last stderr lines as a suffix for an error message.
func (c *child) stderrNote() string {
	if c == nil {
		return ""
	}
	return c.tail.Note()
}
