package modes_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/runtime/modes"
)

// TestTail: everything passes through; the tail keeps the last bytes from
// their first whole line, whether they came in small writes or one large.
func TestTail(t *testing.T) {
	var out bytes.Buffer
	tl := modes.NewTail(&out, 16)
	if tl.Note() != "" {
		t.Errorf("empty tail: %q", tl.Note())
	}
	for _, s := range []string{"line one\n", "line two\n", "three\n"} {
		tl.Write([]byte(s))
	}
	if out.String() != "line one\nline two\nthree\n" {
		t.Errorf("passed through %q", out.String())
	}
	if got := tl.String(); got != "line two\nthree" {
		t.Errorf("tail %q, want the whole lines of the last 16 bytes", got)
	}
	tl.Write([]byte(strings.Repeat("x", 40) + "\nlast line\n"))
	if got := tl.Note(); got != "\nstderr (last lines):\nlast line" {
		t.Errorf("after a large write: %q", got)
	}
}
