package sandbox

import (
	"io"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// logPipe carries the environment's output into the log stream through
// one OS pipe, whose write end every process of the environment gets as
// its stdout or stderr. Go would otherwise copy a non-file writer through
// a pipe and goroutine of its own per process, with nothing to say when a
// line written before the runtime's answer has come through; here drain
// does: a line the function logged is in the log (and its tail) before
// END and REPORT, as in Lambda.
type logPipe struct {
	file *os.File // the write end, for the processes
	r    *os.File
	mu   sync.Mutex // held while bytes read from the pipe are being written on
	done chan struct{}
}

func newLogPipe(dst io.Writer) (*logPipe, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	p := &logPipe{file: w, r: r, done: make(chan struct{})}
	go p.copy(dst)
	return p, nil
}

// writer is what the processes get as their stdout or stderr.
func (p *logPipe) writer() io.Writer { return p.file }

// copy reads what the processes write and passes it on; each read and
// its write happen under mu, so that drain sees bytes either still in the
// pipe or already passed on.
func (p *logPipe) copy(dst io.Writer) {
	defer close(p.done)
	rc, err := p.r.SyscallConn()
	if err != nil {
		_, _ = io.Copy(dst, p.r)
		return
	}
	buf := make([]byte, 32<<10)
	for {
		var n int
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			p.mu.Lock()
			defer p.mu.Unlock()
			n, rerr = syscall.Read(int(fd), buf)
			if rerr == syscall.EAGAIN {
				return false // wait until readable
			}
			if n > 0 {
				_, _ = dst.Write(buf[:n])
			}
			return true
		})
		if err != nil || rerr != nil || n == 0 {
			return
		}
	}
}

// drain waits (at most max) until everything written to the pipe so far
// has been passed on.
func (p *logPipe) drain(max time.Duration) {
	rc, err := p.r.SyscallConn()
	if err != nil {
		return
	}
	for deadline := time.Now().Add(max); ; time.Sleep(100 * time.Microsecond) {
		var pending int32
		p.mu.Lock()
		_ = rc.Control(func(fd uintptr) {
			_, _, _ = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&pending)))
		})
		p.mu.Unlock()
		if pending == 0 || time.Now().After(deadline) {
			return
		}
	}
}

// close ends the pipe once the processes have gone; what they wrote is
// passed on first.
func (p *logPipe) close() {
	p.file.Close()
	select {
	case <-p.done:
	case <-time.After(200 * time.Millisecond): // a leftover process holds the write end
	}
	p.r.Close()
}
