package bench

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/sandbox"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// BenchmarkReportLines is what Lambda's own lines cost serve per
// invocation: START, END and REPORT (with Max Memory Used read from /proc)
// and the 4 KB log tail of X-Amz-Log-Type: Tail, against the same
// runtime (the floor) without them. The two take turns within each
// iteration, so the ratio holds on a shared machine.
func BenchmarkReportLines(b *testing.B) {
	bb := build(b)
	ctx := context.Background()
	type contender struct {
		name string
		opts emulator.InvokeOptions
		sb   *sandbox.Sandbox
		lat  []time.Duration
	}
	cs := []*contender{{name: "plain"}, {name: "report-and-tail", opts: emulator.InvokeOptions{LogTail: true}}}
	for _, c := range cs {
		sb, err := sandbox.Start(sandbox.Options{Command: []string{bb.floor}, Timeout: 10 * time.Second,
			Stderr: io.Discard, Stdout: io.Discard, Report: c.opts.LogTail})
		if err != nil {
			b.Fatal(err)
		}
		defer sb.Close()
		c.sb = sb
		for range 20 {
			if r, err := sb.Invoke(ctx, event, c.opts); err != nil || r.Failed() {
				b.Fatalf("%s warm-up: %v %+v", c.name, err, r)
			}
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, c := range cs {
			t0 := time.Now()
			r, err := c.sb.Invoke(ctx, event, c.opts)
			c.lat = append(c.lat, time.Since(t0))
			if err != nil || r.Failed() {
				b.Fatalf("%s: %v %+v", c.name, err, r)
			}
		}
	}
	b.StopTimer()
	plain, full := testutil.Percentile(cs[0].lat, 50), testutil.Percentile(cs[1].lat, 50)
	b.ReportMetric(float64(plain.Microseconds()), "plain-p50-µs")
	b.ReportMetric(float64(full.Microseconds()), "report-p50-µs")
	b.ReportMetric(float64(full)/float64(plain), "ratio")
	record("report/plain/p50", float64(plain.Microseconds()))
	record("report/report-and-tail/p50", float64(full.Microseconds()))
}
