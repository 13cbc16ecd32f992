package sandbox

// What the sandbox adds to an invocation as Lambda's platform: the START,
// END and REPORT lines, the log tail, and the platform.* events for
// Telemetry API subscribers (telemetry.go), from the emulator's events.

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/platform"
)

// Invoke runs one invocation. With Options.Report its END and REPORT
// lines follow it into the log; with opts.LogTail the result carries the
// end of its log.
func (s *Sandbox) Invoke(ctx context.Context, payload []byte, opts emulator.InvokeOptions) (*emulator.Result, error) {
	if !s.opts.Report && !opts.LogTail && !s.hub.Wanted() {
		return s.emu.Invoke(ctx, payload, opts)
	}
	if opts.RequestID == "" {
		opts.RequestID = uuid.NewString()
	}
	if opts.LogTail {
		s.plog.open(opts.RequestID)
	}
	res, err := s.emu.Invoke(ctx, payload, opts)
	s.drainLogs() // what the function logged before its answer comes before END
	if err == nil && (s.opts.Report || s.hub.Wanted()) {
		s.initMu.Lock()
		cold := s.coldStart
		if !res.Delivered.IsZero() {
			s.coldStart = 0 // the first invocation the environment ran reports its init
		}
		s.initMu.Unlock()
		s.plog.line(platform.EndLine(res.RequestID), platform.Event{})
		rep := reportOf(res, cold, s.fn.memoryMB, maxMemoryUsedMB(s.pgids()))
		s.plog.line(rep.Line(), platform.Event{Type: platform.TypeReport, Record: rep.Record()})
		s.telemetryDone(res, rep)
	}
	if opts.LogTail {
		tail := s.plog.close(opts.RequestID)
		if res != nil {
			res.LogTail = tail
		}
	}
	return res, err
}

// observe follows the emulator's events for the platform's lines, then
// tells Options.Observe. It runs under the emulator's lock.
func (s *Sandbox) observe(ev emulator.Event) {
	switch ev.Kind {
	case emulator.EventReady:
		s.initMu.Lock()
		s.ready, s.coldStart = true, time.Since(s.envStart)
		d := s.coldStart
		s.initMu.Unlock()
		if !s.telemetryRestoreDone(platform.StatusSuccess, "") {
			s.telemetryInitDone(d, platform.StatusSuccess, "")
		}
	case emulator.EventRestore:
		// Under SnapStart the init phase ends at the snapshot.
		s.initMu.Lock()
		d := time.Since(s.envStart)
		s.initMu.Unlock()
		s.telemetryInitDone(d, platform.StatusSuccess, "")
		s.telemetryRestoreStart()
	case emulator.EventDelivered:
		s.telemetryStart(ev)
		s.plog.line(platform.StartLine(ev.RequestID, s.fn.version), platform.Event{Type: platform.TypeStart,
			Record: platform.Start{RequestID: ev.RequestID, Version: s.fn.version}})
	}
	if s.opts.Observe != nil {
		s.opts.Observe(ev)
	}
}

// initEnded writes INIT_REPORT when the environment's init ended without a
// runtime ready for events.
func (s *Sandbox) initEnded(errType string) {
	s.initMu.Lock()
	failed, d := !s.ready && !s.envStart.IsZero(), time.Since(s.envStart)
	s.ready = true // reported once
	s.initMu.Unlock()
	if failed {
		r := initFailed(d, errType)
		s.plog.line(r.Line(), platform.Event{Type: platform.TypeInitReport, Record: r.Record(s.initType())})
		s.telemetryInitDone(d, platform.StatusError, r.ErrorType)
		s.telemetryRestoreDone(platform.StatusError, r.ErrorType)
	}
}

// pgids are the process groups of the environment's processes.
func (s *Sandbox) pgids() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []int
	if s.proc != nil {
		ids = append(ids, s.proc.Process.Pid)
	}
	for _, x := range s.exts {
		ids = append(ids, x.cmd.Process.Pid)
	}
	return ids
}
