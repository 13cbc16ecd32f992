package sandbox

import (
	"encoding/json"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/platform"
	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// logTailMax is how much of an invocation's log X-Amz-Log-Type: Tail
// returns: the last 4 KB (Invoke API reference, LogType).
const logTailMax = 4096

// platformLog is the environment's log stream as Lambda writes it: the
// runtime's and extensions' output, with Lambda's own lines (START, END,
// REPORT, INIT_REPORT) among them when Options.Report is set, and the tail
// of each open invocation's share of it kept for those that asked.
type platformLog struct {
	report bool
	json   bool      // AWS_LAMBDA_LOG_FORMAT=JSON: records instead of lines
	w      io.Writer // where the lines go: Options.Stderr

	mu    sync.Mutex
	tails map[string]*[]byte // open invocations that asked for their tail
}

func newPlatformLog(w io.Writer, report, json bool) *platformLog {
	return &platformLog{w: w, report: report, json: json, tails: map[string]*[]byte{}}
}

// tap returns w with everything written to it also kept in the open tails.
func (l *platformLog) tap(w io.Writer) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		l.keep(p)
		return w.Write(p)
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// keep appends p to every open tail, keeping the last logTailMax bytes.
// With several invocations open at once (Managed Instances) their lines
// interleave and each tail gets all of them, as one log stream holds them.
func (l *platformLog) keep(p []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, t := range l.tails {
		*t = append(*t, p...)
		if len(*t) > 2*logTailMax {
			*t = append((*t)[:0], (*t)[len(*t)-logTailMax:]...)
		}
	}
}

// open starts keeping id's tail.
func (l *platformLog) open(id string) {
	l.mu.Lock()
	l.tails[id] = new([]byte)
	l.mu.Unlock()
}

// close stops keeping id's tail and returns its last logTailMax bytes.
func (l *platformLog) close(id string) []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.tails[id]
	delete(l.tails, id)
	if t == nil {
		return nil
	}
	if len(*t) > logTailMax {
		return (*t)[len(*t)-logTailMax:]
	}
	return *t
}

// line writes one of Lambda's own lines (when reporting) into the stream:
// text, or in JSON log format the record ev (none when ev.Type is empty:
// END has no record of its own), as Lambda writes its platform events to
// CloudWatch Logs in that format.
func (l *platformLog) line(text string, ev platform.Event) {
	if !l.report {
		return
	}
	if l.json {
		if ev.Type == "" {
			return
		}
		ev.Time = time.Now()
		j, err := json.Marshal(ev)
		if err != nil {
			return
		}
		text = string(j)
	}
	b := []byte(text + "\n")
	l.keep(b)
	_, _ = l.w.Write(b)
}

// reportOf is the REPORT for an ended invocation.
func reportOf(res *emulator.Result, init time.Duration, memoryMB, usedMB int) platform.Report {
	r := platform.Report{RequestID: res.RequestID, Init: init, MemorySizeMB: memoryMB, MaxMemoryUsedMB: usedMB}
	if !res.Delivered.IsZero() {
		r.Duration = res.Ended.Sub(res.Delivered)
	}
	switch res.Outcome {
	case emulator.OutcomeResponse:
		r.Status = platform.StatusSuccess
	case emulator.OutcomeTimeout:
		r.Status, r.ErrorType, r.Platform = platform.StatusTimeout, res.ErrorType, true
	case emulator.OutcomeError:
		r.Status, r.ErrorType = platform.StatusError, res.ErrorType
		// A response over the limit is the platform's verdict, not the function's.
		r.Platform = res.ErrorType == api.ErrTypeResponseTooBig
	default: // the runtime exited, or its init failed
		r.Status, r.ErrorType, r.Platform = platform.StatusError, res.ErrorType, true
	}
	return r
}

// initFailed is the INIT_REPORT of an init that ended without a runtime
// ready for events.
func initFailed(d time.Duration, errType string) platform.InitReport {
	if errType == "" || !strings.Contains(errType, ".") {
		errType = api.ErrTypeExit
	}
	return platform.InitReport{Duration: d, Phase: "init", Status: platform.StatusError, ErrorType: errType}
}
