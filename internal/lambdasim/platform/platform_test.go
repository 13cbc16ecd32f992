package platform

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestReportLine(t *testing.T) {
	r := Report{RequestID: "r1", Duration: 1234567 * time.Nanosecond, Init: 120550 * time.Microsecond, MemorySizeMB: 128, MaxMemoryUsedMB: 31}
	want := "REPORT RequestId: r1\tDuration: 1.23 ms\tBilled Duration: 122 ms\tMemory Size: 128 MB\tMax Memory Used: 31 MB\tInit Duration: 120.55 ms\t"
	if got := r.Line(); got != want {
		t.Fatalf("cold:\n got %q\nwant %q", got, want)
	}
	r.Init, r.Status, r.ErrorType, r.Platform = 0, StatusTimeout, "Sandbox.Timedout", true
	r.Duration = 3 * time.Second
	want = "REPORT RequestId: r1\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 31 MB\tStatus: timeout\tError Type: Sandbox.Timedout\t"
	if got := r.Line(); got != want {
		t.Fatalf("timeout:\n got %q\nwant %q", got, want)
	}
	b, _ := json.Marshal(Event{Time: time.Unix(0, 0), Type: TypeReport, Record: r.Record()})
	if !strings.Contains(string(b), `"time":"1970-01-01T00:00:00.000Z","type":"platform.report"`) ||
		!strings.Contains(string(b), `"billedDurationMs":3000`) || strings.Contains(string(b), "initDurationMs") {
		t.Fatalf("record: %s", b)
	}
}

func TestInitReportLine(t *testing.T) {
	r := InitReport{Duration: 10003420 * time.Microsecond, Phase: "init", Status: StatusError, ErrorType: "Runtime.ExitError"}
	want := "INIT_REPORT Init Duration: 10003.42 ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError\t"
	if got := r.Line(); got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}
