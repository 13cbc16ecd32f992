package modes

import (
	"bytes"
	"io"
	"sync"
)

// StderrTail is the size of the stderr tail a mode quotes in an error.
const StderrTail = 2048

// Tail passes everything written to it through to w and remembers the last
// max bytes, so that the error of a failed process can quote its last
// stderr lines. Writes come from one goroutine (exec's copier), Note and
// String may be called from others, hence the lock.
type Tail struct {
	w    io.Writer
	max  int
	mu   sync.Mutex
	tail []byte
}

// NewTail returns a Tail that writes through to w and keeps max bytes.
func NewTail(w io.Writer, max int) *Tail { return &Tail{w: w, max: max} }

func (t *Tail) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(p) >= t.max {
		t.tail = append(t.tail[:0], p[len(p)-t.max:]...)
		return n, err
	}
	t.tail = append(t.tail, p...)
	if over := len(t.tail) - t.max; over > 0 {
		t.tail = append(t.tail[:0], t.tail[over:]...)
	}
	return n, err
}

// String is the remembered tail from its first whole line.
func (t *Tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.tail
	if len(s) == t.max {
		if i := bytes.IndexByte(s, '\n'); i >= 0 && i < len(s)-1 {
			s = s[i+1:]
		}
	}
	return string(bytes.TrimRight(s, "\n"))
}

// Note is the tail as the suffix of an error message, "" when nothing was
// written.
func (t *Tail) Note() string {
	if s := t.String(); s != "" {
		return "\nstderr (last lines):\n" + s
	}
	return ""
}
