package sandbox

import (
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/platform"
)

// The platform.* events of an execution environment, published to its
// Telemetry API and Logs API subscribers (package telemetry) with the
// record shapes of the schema reference
// (https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html).

func (s *Sandbox) publish(typ string, rec any) {
	s.hub.Publish(platform.Event{Time: time.Now(), Type: typ, Record: rec})
}

func (s *Sandbox) initType() string {
	if s.fn.snapStart {
		return "snap-start"
	}
	return "on-demand"
}

// telemetryInitStart opens a new environment's telemetry.
func (s *Sandbox) telemetryInitStart() {
	s.hub.BeginInit()
	s.publish(platform.TypeInitStart, platform.InitStart{InitializationType: s.initType(), Phase: "init",
		FunctionName: s.fn.name, FunctionVersion: s.fn.version, InstanceMaxMemory: s.fn.memoryMB << 20})
}

// telemetryInitDone reports an init that ended (status and error type as
// the records name them) after d.
func (s *Sandbox) telemetryInitDone(d time.Duration, status, errType string) {
	if !s.hub.Wanted() {
		return
	}
	s.publish(platform.TypeInitRuntimeDone, platform.InitRuntimeDone{InitializationType: s.initType(), Phase: "init", Status: status, ErrorType: errType})
	r := platform.InitReport{Duration: d, Phase: "init", Status: status, ErrorType: errType}
	s.publish(platform.TypeInitReport, r.Record(s.initType()))
}

// telemetryStart reports an invocation handed to the runtime.
func (s *Sandbox) telemetryStart(ev emulator.Event) {
	if !s.hub.Wanted() {
		return
	}
	s.publish(platform.TypeStart, platform.Start{RequestID: ev.RequestID, Version: s.fn.version,
		Tracing: &platform.Tracing{Type: "X-Amzn-Trace-Id", Value: ev.TraceID}})
}

// telemetryDone reports an ended invocation: runtimeDone, then report.
func (s *Sandbox) telemetryDone(res *emulator.Result, rep platform.Report) {
	if !s.hub.Wanted() {
		return
	}
	s.publish(platform.TypeRuntimeDone, platform.RuntimeDone{RequestID: res.RequestID, Status: rep.Status, ErrorType: rep.ErrorType,
		Metrics: &platform.RuntimeDoneMetrics{DurationMs: float64(rep.Duration.Microseconds()) / 1000, ProducedBytes: int64(len(res.Body))}})
	s.publish(platform.TypeReport, rep.Record())
	s.hub.EndInit()
}

// telemetryRestoreStart reports a SnapStart restore phase beginning.
func (s *Sandbox) telemetryRestoreStart() {
	s.initMu.Lock()
	s.restoreStart = time.Now()
	s.initMu.Unlock()
	s.publish(platform.TypeRestoreStart, platform.RestoreStart{FunctionName: s.fn.name, FunctionVersion: s.fn.version,
		InstanceMaxMemory: s.fn.memoryMB << 20})
}

// telemetryRestoreDone reports the restore phase's end, if one began (the
// runtime has asked for its first event after its after-restore hooks),
// and reports whether one had.
func (s *Sandbox) telemetryRestoreDone(status, errType string) bool {
	s.initMu.Lock()
	began := s.restoreStart
	s.restoreStart = time.Time{}
	s.initMu.Unlock()
	if began.IsZero() {
		return false
	}
	done, report := platform.Restore(time.Since(began), status, errType)
	s.publish(platform.TypeRestoreRuntimeDone, done)
	s.publish(platform.TypeRestoreReport, report)
	return true
}
