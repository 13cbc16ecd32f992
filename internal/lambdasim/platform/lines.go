// Package platform holds what Lambda itself writes about an invocation,
// in one place for every part of the emulator that writes it: the system
// log lines (START, END, REPORT, INIT_REPORT) in TEXT log format, and the
// platform.* records that the Telemetry API delivers and that JSON log
// format writes in their place.
//
// Formats: REPORT as Lambda writes it to CloudWatch Logs (fields separated
// by tabs, Init Duration last and only on a cold start); the records as in
// "Lambda Telemetry API Event schema reference",
// https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html.
package platform

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Report is what Lambda reports at the end of an invocation.
type Report struct {
	RequestID string
	Duration  time.Duration // from the event's delivery to the runtime's answer
	// Init is the execution environment's init duration on the invocation
	// that started it (a cold start); zero on a warm one.
	Init            time.Duration
	MemorySizeMB    int
	MaxMemoryUsedMB int
	Status          string // Status values below; "" is success
	ErrorType       string // with a status other than StatusSuccess
	// Platform: the platform ended the invocation (a timeout, the
	// runtime's exit, a failed init), so the line says how, as Lambda's
	// does; a function's own error is only in the record's status.
	Platform bool
}

// The status of an invocation or an init phase, as the records name it.
const (
	StatusSuccess = "success"
	StatusError   = "error"
	StatusFailure = "failure"
	StatusTimeout = "timeout"
)

// Billed is the billed duration: Lambda bills in 1 ms steps, rounding up,
// and on a cold start of a custom runtime or container image it bills the
// init phase too.
func (r Report) Billed() time.Duration { return billed(r.Duration + r.Init) }

func billed(d time.Duration) time.Duration {
	return time.Duration(math.Ceil(float64(d)/float64(time.Millisecond))) * time.Millisecond
}

// Line is the REPORT line.
func (r Report) Line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %s ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t",
		r.RequestID, ms(r.Duration), r.Billed().Milliseconds(), r.MemorySizeMB, r.MaxMemoryUsedMB)
	if r.Init > 0 {
		fmt.Fprintf(&b, "Init Duration: %s ms\t", ms(r.Init))
	}
	if r.Platform {
		fmt.Fprintf(&b, "Status: %s\t", r.Status)
		if r.ErrorType != "" {
			fmt.Fprintf(&b, "Error Type: %s\t", r.ErrorType)
		}
	}
	return b.String()
}

// InitReport is what Lambda reports of an init phase that did not end in
// an invocation's REPORT: one that failed or timed out.
type InitReport struct {
	Duration  time.Duration
	Phase     string // "init" (or "invoke" when an init is suppressed and retried)
	Status    string
	ErrorType string
}

// Line is the INIT_REPORT line.
func (r InitReport) Line() string {
	s := fmt.Sprintf("INIT_REPORT Init Duration: %s ms\tPhase: %s\tStatus: %s\t", ms(r.Duration), r.Phase, r.Status)
	if r.ErrorType != "" {
		s += "Error Type: " + r.ErrorType + "\t"
	}
	return s
}

// StartLine is the START line.
func StartLine(requestID, version string) string {
	return "START RequestId: " + requestID + " Version: " + version
}

// EndLine is the END line.
func EndLine(requestID string) string { return "END RequestId: " + requestID }

// ms prints a duration in milliseconds with two decimals, as Lambda does.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond))
}
