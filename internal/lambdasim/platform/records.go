package platform

import (
	"encoding/json"
	"time"
)

// Event is one Telemetry API event: {"time", "type", "record"}. For
// function and extension log lines the record is the line (a string, or
// the JSON object a JSON-format logger wrote).
// https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html
type Event struct {
	Time   time.Time
	Type   string
	Record any
}

// The event types, as the schema reference names them.
const (
	TypeInitStart          = "platform.initStart"
	TypeInitRuntimeDone    = "platform.initRuntimeDone"
	TypeInitReport         = "platform.initReport"
	TypeStart              = "platform.start"
	TypeRuntimeDone        = "platform.runtimeDone"
	TypeReport             = "platform.report"
	TypeRestoreStart       = "platform.restoreStart"
	TypeRestoreRuntimeDone = "platform.restoreRuntimeDone"
	TypeRestoreReport      = "platform.restoreReport"
	TypeSubscription       = "platform.telemetrySubscription"
	TypeLogsDropped        = "platform.logsDropped"
	TypeFunction           = "function"
	TypeExtension          = "extension"
)

// The event categories a subscriber chooses among (its "types").
const (
	CategoryPlatform  = "platform"
	CategoryFunction  = "function"
	CategoryExtension = "extension"
)

// Category is the subscription type an event belongs to.
func (e Event) Category() string {
	switch e.Type {
	case TypeFunction:
		return CategoryFunction
	case TypeExtension:
		return CategoryExtension
	}
	return CategoryPlatform
}

// MarshalJSON writes the event with its time in RFC 3339 with milliseconds, UTC.
func (e Event) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Time   string `json:"time"`
		Type   string `json:"type"`
		Record any    `json:"record"`
	}{e.Time.UTC().Format("2006-01-02T15:04:05.000Z"), e.Type, e.Record})
}

// InitStart is platform.initStart's record.
type InitStart struct {
	InitializationType string `json:"initializationType"` // "on-demand", "snap-start", ...
	Phase              string `json:"phase"`              // "init" or "invoke"
	RuntimeVersion     string `json:"runtimeVersion,omitempty"`
	RuntimeVersionArn  string `json:"runtimeVersionArn,omitempty"`
	FunctionName       string `json:"functionName"`
	FunctionVersion    string `json:"functionVersion"`
	InstanceID         string `json:"instanceId,omitempty"`
	InstanceMaxMemory  int    `json:"instanceMaxMemory,omitempty"`
}

// InitRuntimeDone is platform.initRuntimeDone's record.
type InitRuntimeDone struct {
	InitializationType string `json:"initializationType"`
	Phase              string `json:"phase"`
	Status             string `json:"status"`
	ErrorType          string `json:"errorType,omitempty"`
}

// InitReport's record (platform.initReport).
type InitReportRecord struct {
	InitializationType string         `json:"initializationType"`
	Phase              string         `json:"phase"`
	Status             string         `json:"status"`
	ErrorType          string         `json:"errorType,omitempty"`
	Metrics            DurationMetric `json:"metrics"`
}

// DurationMetric is the metrics object of the init and restore reports.
type DurationMetric struct {
	DurationMs float64 `json:"durationMs"`
}

// Start is platform.start's record.
type Start struct {
	RequestID string   `json:"requestId"`
	Version   string   `json:"version,omitempty"`
	Tracing   *Tracing `json:"tracing,omitempty"`
}

// Tracing is the X-Ray context of an invocation.
type Tracing struct {
	Type  string `json:"type"` // "X-Amzn-Trace-Id"
	Value string `json:"value"`
}

// RuntimeDone is platform.runtimeDone's record.
type RuntimeDone struct {
	RequestID string              `json:"requestId"`
	Status    string              `json:"status"`
	ErrorType string              `json:"errorType,omitempty"`
	Metrics   *RuntimeDoneMetrics `json:"metrics,omitempty"`
	Tracing   *Tracing            `json:"tracing,omitempty"`
}

// RuntimeDoneMetrics are platform.runtimeDone's metrics.
type RuntimeDoneMetrics struct {
	DurationMs    float64 `json:"durationMs"`
	ProducedBytes int64   `json:"producedBytes,omitempty"`
}

// ReportRecord is platform.report's record.
type ReportRecord struct {
	RequestID string        `json:"requestId"`
	Status    string        `json:"status"`
	ErrorType string        `json:"errorType,omitempty"`
	Metrics   ReportMetrics `json:"metrics"`
	Tracing   *Tracing      `json:"tracing,omitempty"`
}

// ReportMetrics are platform.report's metrics.
type ReportMetrics struct {
	DurationMs       float64  `json:"durationMs"`
	BilledDurationMs int64    `json:"billedDurationMs"`
	MemorySizeMB     int      `json:"memorySizeMB"`
	MaxMemoryUsedMB  int      `json:"maxMemoryUsedMB"`
	InitDurationMs   *float64 `json:"initDurationMs,omitempty"`
}

// Record is r as platform.report's record.
func (r Report) Record() ReportRecord {
	rec := ReportRecord{RequestID: r.RequestID, Status: r.Status, ErrorType: r.ErrorType, Metrics: ReportMetrics{
		DurationMs: msFloat(r.Duration), BilledDurationMs: r.Billed().Milliseconds(),
		MemorySizeMB: r.MemorySizeMB, MaxMemoryUsedMB: r.MaxMemoryUsedMB,
	}}
	if rec.Status == "" {
		rec.Status = StatusSuccess
	}
	if r.Init > 0 {
		init := msFloat(r.Init)
		rec.Metrics.InitDurationMs = &init
	}
	return rec
}

// Record is r as platform.initReport's record.
func (r InitReport) Record(initializationType string) InitReportRecord {
	return InitReportRecord{InitializationType: initializationType, Phase: r.Phase, Status: r.Status,
		ErrorType: r.ErrorType, Metrics: DurationMetric{DurationMs: msFloat(r.Duration)}}
}

// RestoreStart is platform.restoreStart's record (SnapStart).
type RestoreStart struct {
	RuntimeVersion    string `json:"runtimeVersion,omitempty"`
	RuntimeVersionArn string `json:"runtimeVersionArn,omitempty"`
	FunctionName      string `json:"functionName"`
	FunctionVersion   string `json:"functionVersion"`
	InstanceID        string `json:"instanceId,omitempty"`
	InstanceMaxMemory int    `json:"instanceMaxMemory,omitempty"`
}

// RestoreRuntimeDone is platform.restoreRuntimeDone's record.
type RestoreRuntimeDone struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType,omitempty"`
}

// RestoreReport is platform.restoreReport's record.
type RestoreReport struct {
	Status    string         `json:"status"`
	ErrorType string         `json:"errorType,omitempty"`
	Metrics   DurationMetric `json:"metrics"`
}

// Restore is a restore phase's report as records.
func Restore(d time.Duration, status, errType string) (RestoreRuntimeDone, RestoreReport) {
	return RestoreRuntimeDone{Status: status, ErrorType: errType},
		RestoreReport{Status: status, ErrorType: errType, Metrics: DurationMetric{DurationMs: msFloat(d)}}
}

// LogsDropped is platform.logsDropped's record.
type LogsDropped struct {
	Reason         string `json:"reason"`
	DroppedRecords int    `json:"droppedRecords"`
	DroppedBytes   int    `json:"droppedBytes"`
}

// msFloat is a duration in milliseconds, rounded to microseconds.
func msFloat(d time.Duration) float64 {
	return float64(d.Round(time.Microsecond)) / float64(time.Millisecond)
}
