package bootstrap

import (
	"log/slog"
	"sync"
	"time"
)

// rateLimitEvery is the least time between two lines of one rate-limited
// kind; the lines held back in between are counted in the next one.
const rateLimitEvery = 10 * time.Second

// rateLimited writes a warning at most once per rateLimitEvery. A dozen
// lines of our own rather than golang.org/x/time/rate: the bootstrap
// links nothing it does not need, and this also counts what it dropped.
type rateLimited struct {
	mu         sync.Mutex
	last       time.Time
	suppressed int
}

func newRateLimited() *rateLimited { return &rateLimited{} }

func (r *rateLimited) log(log *slog.Logger, msg string, args ...any) {
	r.mu.Lock()
	now := time.Now()
	if !r.last.IsZero() && now.Sub(r.last) < rateLimitEvery {
		r.suppressed++
		r.mu.Unlock()
		return
	}
	n := r.suppressed
	r.last, r.suppressed = now, 0
	r.mu.Unlock()
	if n > 0 {
		args = append(args, "suppressed_since_last", n)
	}
	log.Warn(msg, args...)
}
