package telemetry

import "github.com/faas-runtime/faas-runtime/internal/lambdasim/platform"

// logsAPIEvents is ev as the Logs API (2020-08-15) delivers it, which
// predates the Telemetry API's records ("Using the Lambda Logs API",
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-logs-api.html):
// platform.start and platform.end carry the request id, platform.report
// the request id and metrics, platform.runtimeDone the request id and
// status; the subscription is platform.logsSubscription; the init and
// restore phases have no events there.
func logsAPIEvents(ev platform.Event) []platform.Event {
	at := func(typ string, rec any) platform.Event { return platform.Event{Time: ev.Time, Type: typ, Record: rec} }
	switch r := ev.Record.(type) {
	case platform.Start:
		return []platform.Event{at(platform.TypeStart, map[string]string{"requestId": r.RequestID, "version": r.Version})}
	case platform.RuntimeDone:
		return []platform.Event{
			at(platform.TypeRuntimeDone, map[string]string{"requestId": r.RequestID, "status": r.Status}),
			at(typeEnd, map[string]string{"requestId": r.RequestID}),
		}
	case platform.ReportRecord:
		return []platform.Event{at(platform.TypeReport, map[string]any{"requestId": r.RequestID, "metrics": r.Metrics})}
	}
	switch ev.Type {
	case platform.TypeSubscription:
		return []platform.Event{at(typeLogsSubscription, ev.Record)}
	case platform.TypeFunction, platform.TypeExtension, platform.TypeLogsDropped:
		return []platform.Event{ev}
	}
	return nil // init and restore events are the Telemetry API's
}

// The Logs API's own event types.
const (
	typeEnd              = "platform.end"
	typeLogsSubscription = "platform.logsSubscription"
)
