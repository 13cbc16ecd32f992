package bootstrap

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// A burst of refused answers writes one line; the next line, a period
// later, says how many were held back.
func TestRateLimitedLog(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	r := newRateLimited()
	for range 5 {
		r.log(log, "answer refused: the invocation is gone")
	}
	if n := strings.Count(buf.String(), "\n"); n != 1 {
		t.Fatalf("%d lines for a burst of 5, want 1:\n%s", n, buf.String())
	}
	r.last = r.last.Add(-rateLimitEvery) // a period has passed
	r.log(log, "answer refused: the invocation is gone")
	if !strings.Contains(buf.String(), "suppressed_since_last=4") {
		t.Fatalf("the held-back count is missing:\n%s", buf.String())
	}
}
