package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/sandbox"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/runtime/h1"
)

var streamMB = flag.Int("stream.mb", 200, "BenchmarkStream: size of the streamed response in MB (10^6 bytes); at most 200 MiB, Lambda's limit")

// streamOrder is the stream table's row order.
var streamOrder []string

// countingWriter counts what it is given and keeps none of it.
type countingWriter struct{ n atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n.Add(int64(len(p))); return len(p), nil }

// BenchmarkStream is streamed-response throughput: -stream.mb of bytes
// from bench/blob through faas-runtime to the emulator's invoker, in http
// mode (AWS_LWA_INVOKE_MODE=response_stream, the app's GET /blob) and in
// exec mode (FAAS_EXEC_INVOKE_MODE=response_stream, the program's stdout),
// each against a direct copy of the same bytes: the same GET sent straight
// to the same app over loopback, and the same program run with os/exec and
// its stdout copied. The four take turns within each iteration. The table
// gives bytes/s and the runtime's peak RSS (VmHWM), which stays flat when
// nothing is buffered.
func BenchmarkStream(b *testing.B) {
	bb := build(b)
	blob := testutil.GoBuild(b, b.TempDir(), "./bench/blob", "blob")
	n := *streamMB * 1000 * 1000
	ctx := context.Background()
	port := testutil.FreePort(b)
	start := func(cmd []string, env ...string) *sandbox.Sandbox {
		sb, err := sandbox.Start(sandbox.Options{Command: cmd, Env: env, Timeout: 5 * time.Minute, Stderr: io.Discard, Stdout: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		return sb
	}
	httpSB := start([]string{bb.faas, blob}, "AWS_LWA_PORT="+port, "AWS_LWA_INVOKE_MODE=response_stream")
	defer httpSB.Close()
	execSB := start([]string{bb.faas, blob}, "BLOB_BYTES="+strconv.Itoa(n), "FAAS_EXEC_INVOKE_MODE=response_stream")
	defer execSB.Close()
	event := []byte(`{"version":"2.0","routeKey":"$default","rawPath":"/blob","rawQueryString":"n=` + strconv.Itoa(n) + `",` +
		`"headers":{"host":"bench"},"requestContext":{"http":{"method":"GET","path":"/blob","protocol":"HTTP/1.1","sourceIp":"192.0.2.1"}},"isBase64Encoded":false}`)

	through := func(sb *sandbox.Sandbox) func() (int64, error) {
		return func() (int64, error) {
			var w countingWriter
			r, err := sb.Invoke(ctx, event, emulator.InvokeOptions{Stream: &w})
			if err == nil && (r.Failed() || !r.Streamed) {
				err = fmt.Errorf("not a streamed response: %+v", r)
			}
			return w.n.Load(), err
		}
	}
	app := &h1.Client{Addr: "127.0.0.1:" + port, MaxIdle: 1, DialTimeout: 2 * time.Second}
	directHTTP := func() (int64, error) {
		resp, err := app.Do(ctx, &h1.Request{Method: "GET", Path: "/blob?n=" + strconv.Itoa(n)})
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		return io.Copy(io.Discard, resp.Body)
	}
	directExec := func() (int64, error) {
		cmd := exec.Command(blob)
		cmd.Env = append(os.Environ(), "BLOB_BYTES="+strconv.Itoa(n))
		out, err := cmd.StdoutPipe()
		if err != nil {
			return 0, err
		}
		if err := cmd.Start(); err != nil {
			return 0, err
		}
		k, err := io.Copy(io.Discard, out)
		return k, cmpOr(err, cmd.Wait())
	}
	type contender struct {
		name    string
		key     string // the metric's short name
		run     func() (int64, error)
		sb      *sandbox.Sandbox // whose runtime's peak RSS counts
		bytes   int64
		elapsed time.Duration
	}
	cs := []*contender{
		{name: "faas-runtime http, streamed", key: "http", run: through(httpSB), sb: httpSB},
		{name: "direct: GET straight to the app", key: "http-direct", run: directHTTP},
		{name: "faas-runtime exec, streamed", key: "exec", run: through(execSB), sb: execSB},
		{name: "direct: the program's stdout", key: "exec-direct", run: directExec},
	}
	for _, c := range cs { // warm up: start the runtimes and the app
		if k, err := c.run(); err != nil || k < int64(n) {
			b.Fatalf("%s warm-up: %d of %d bytes: %v", c.name, k, n, err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range cs {
			c := cs[(i+k)%len(cs)]
			t0 := time.Now()
			got, err := c.run()
			c.elapsed += time.Since(t0)
			if err != nil || got < int64(n) {
				b.Fatalf("%s: %d of %d bytes: %v", c.name, got, n, err)
			}
			c.bytes += got
		}
	}
	b.StopTimer()
	streamOrder = streamOrder[:0]
	for _, c := range cs {
		rate := float64(c.bytes) / c.elapsed.Seconds()
		b.ReportMetric(rate/1e6, c.key+"-MB/s")
		record("stream/"+c.name+"/rate", rate)
		if c.sb != nil {
			if kb, err := testutil.PeakRSSKiB(c.sb.PID()); err == nil {
				record("stream/"+c.name+"/peak", kb)
			}
		}
		streamOrder = append(streamOrder, c.name)
	}
	record("stream/mb", float64(*streamMB))
}

// printStreamTable prints BenchmarkStream's rows: each streamed mode
// against the direct copy that follows it.
func printStreamTable(r map[string]float64, ratio func(a, b float64) string) {
	if len(streamOrder) < 4 || r["stream/"+streamOrder[0]+"/rate"] == 0 {
		return
	}
	fmt.Printf("\n| streamed response, %.0f MB | MB/s | / direct copy | runtime peak RSS (KiB) |\n| --- | --- | --- | --- |\n", r["stream/mb"])
	for i, n := range streamOrder {
		rate, peak, vs := r["stream/"+n+"/rate"], "", ""
		if i%2 == 0 {
			vs = ratio(rate, r["stream/"+streamOrder[i+1]+"/rate"])
			peak = fmt.Sprintf("%.0f", r["stream/"+n+"/peak"])
		}
		fmt.Printf("| %s | %.0f | %s | %s |\n", n, rate/1e6, vs, peak)
	}
}
