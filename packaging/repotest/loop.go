package repotest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Loop runs every client in a loop against one repository URL while a
// publish happens, and counts: each install must succeed with one of the
// versions allowed, and never go back from a newer one to an older one.
type Loop struct {
	Base    string
	clients []Client
	allowed []string // oldest first

	publishing atomic.Bool
	stop       chan struct{}
	wg         sync.WaitGroup
	Tallies    []*Tally
}

// Tally is one client's count.
type Tally struct {
	Client                 string
	Runs, During, Failures int
	Last                   string
	Seen, Errors           []string
	mu                     sync.Mutex
}

// StartLoop starts the clients, each pausing pause between installs (to
// share the machine with a long build); the publish is under way until
// Published.
func StartLoop(clients []Client, base string, pause time.Duration, allowed ...string) *Loop {
	l := &Loop{Base: base, clients: clients, allowed: allowed, stop: make(chan struct{})}
	l.publishing.Store(true)
	for _, c := range clients {
		tl := &Tally{Client: c.Name}
		l.Tallies = append(l.Tallies, tl)
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for n := 0; ; n++ {
				select {
				case <-l.stop:
					return
				default:
				}
				during := l.publishing.Load()
				v, out, err := c.Install(context.Background(), base)
				tl.record(n, during, v, out, err, allowed)
				select {
				case <-l.stop:
					return
				case <-time.After(pause):
				}
			}
		}()
	}
	return l
}

func (tl *Tally) record(n int, during bool, v, out string, err error, allowed []string) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.Runs++
	if during {
		tl.During++
	}
	rank := func(v string) int {
		for i, a := range allowed {
			if a == v {
				return i
			}
		}
		return -1
	}
	bad := ""
	switch {
	case err != nil:
		bad = fmt.Sprintf("install failed: %v", err)
	case rank(v) < 0:
		bad = fmt.Sprintf("installed %q, want one of %s", v, strings.Join(allowed, ", "))
	case tl.Last != "" && rank(v) < rank(tl.Last):
		bad = fmt.Sprintf("went back from %s to %s", tl.Last, v)
	}
	if bad != "" {
		tl.Failures++
		if len(out) > 1500 {
			out = "…" + out[len(out)-1500:]
		}
		tl.Errors = append(tl.Errors, fmt.Sprintf("run %d: %s\n%s", n, bad, out))
	} else {
		tl.Last = v
	}
	tl.Seen = append(tl.Seen, v)
}

// Published marks the publish done; installs from now on count as after.
func (l *Loop) Published() { l.publishing.Store(false) }

// Finish waits until every client has installed at least after times since
// Published, stops them, and reports: it fails the test for any failed
// install, a client that never ran during the publish, or one that does
// not end on the newest allowed version. It returns the installs during
// the publish and the failures, all clients together.
func (l *Loop) Finish(t testing.TB, target string, after int) (during, failures int) {
	t.Helper()
	for {
		done := true
		for _, tl := range l.Tallies {
			tl.mu.Lock()
			done = done && tl.Runs-tl.During >= after
			tl.mu.Unlock()
		}
		if done {
			break
		}
		time.Sleep(time.Second)
	}
	close(l.stop)
	l.wg.Wait()
	newest := l.allowed[len(l.allowed)-1]
	for _, tl := range l.Tallies {
		t.Logf("%s: %-8s %3d installs, %3d during the publish, %d failed; versions %s",
			target, tl.Client, tl.Runs, tl.During, tl.Failures, strings.Join(tl.Seen, " "))
		during += tl.During
		failures += tl.Failures
		for _, e := range tl.Errors {
			t.Errorf("%s: %s: %s", target, tl.Client, e)
		}
		if tl.During == 0 {
			t.Errorf("%s: %s never installed during the publish", target, tl.Client)
		}
		if tl.Last != newest {
			t.Errorf("%s: %s installs %s after the publish, want %s", target, tl.Client, tl.Last, newest)
		}
	}
	t.Logf("%s: all clients: %d installs during the publish, %d failures", target, during, failures)
	return during, failures
}
