package httpmode_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/sandbox"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/h1"
	"github.com/faas-runtime/faas-runtime/runtime/httpevent"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
	"github.com/faas-runtime/faas-runtime/runtime/modes/httpmode"
)

// Benchmarks of http mode against its baselines, in one run (`make bench`
// runs them; the table goes into OPTIMIZATION.md, ## http mode):
//
//	go test -run '^$' -bench . ./runtime/modes/httpmode

var (
	benchMu      sync.Mutex
	benchResults = map[string]time.Duration{}
)

func recordBench(key string, d time.Duration) {
	benchMu.Lock()
	benchResults[key] = d
	benchMu.Unlock()
}

// printBenchTable prints the rows with their ratios when benchmarks ran.
func printBenchTable() {
	benchMu.Lock()
	defer benchMu.Unlock()
	if len(benchResults) == 0 {
		return
	}
	fmt.Println("\n| measure | faas-runtime http mode | baseline | ratio |\n| --- | --- | --- | --- |")
	row := func(name, ours, base, unit string, div time.Duration) {
		o, okO := benchResults[ours]
		b, okB := benchResults[base]
		if !okO || !okB {
			return
		}
		fmt.Printf("| %s | %.0f %s | %.0f %s | %.2f× |\n", name, float64(o)/float64(div), unit, float64(b)/float64(div), unit, float64(o)/float64(b))
	}
	row("warm round trip p50, Go example app vs aws-lambda-go echo", "warm/faas-runtime-http/p50", "warm/aws-lambda-go/p50", "µs", time.Microsecond)
	row("warm round trip p99", "warm/faas-runtime-http/p99", "warm/aws-lambda-go/p99", "µs", time.Microsecond)
	row("http mode's share: Handler.Invoke in process (translate, request to the app, response shape), vs aws-lambda-go round trip", "invoke-in-process/p50", "warm/aws-lambda-go/p50", "µs", time.Microsecond)
	row("the hop alone: the same GET /echo straight to the Go app (h1, http mode's client settings), vs aws-lambda-go echo", "warm/app-direct/p50", "warm/aws-lambda-go/p50", "µs", time.Microsecond)
	if o, a, h := benchResults["warm/faas-runtime-http/p50"], benchResults["warm/aws-lambda-go/p50"], benchResults["warm/app-direct/p50"]; a > 0 && h > 0 {
		fmt.Printf("| http mode p50 vs (aws-lambda-go + the hop) | %.0f µs | %.0f µs | %.2f× |\n", float64(o)/1e3, float64(a+h)/1e3, float64(o)/float64(a+h))
	}
	row("exec to ready p50, Go example app, ours vs 10 ms polling", "ready/faas-runtime/p50", "ready/poll-10ms/p50", "µs", time.Microsecond)
	row("exec to ready p50, Python example app", "ready-python/faas-runtime/p50", "ready-python/poll-10ms/p50", "µs", time.Microsecond)
}

// BenchmarkWarm: one invocation at a time through the emulator and the
// runtime process: an API Gateway v2 event to the Go example's /echo, vs
// the same event through aws-lambda-go's in-process echo (lambda.Start,
// -tags lambda.norpc, -s -w: the smallest bootstrap it makes), vs the bare
// hop (the same GET sent straight to the app, no Lambda in between). The
// three take turns within one loop, so a change in the machine's load
// (other builds share its 2 cores) hits them alike.
func BenchmarkWarm(b *testing.B) {
	rt := testutil.Binary(b, "./cmd/faas-runtime")
	app := testutil.Binary(b, "./examples/http-go")
	awsEcho := testutil.GoBuildTags(b, b.TempDir(), "./bench/awslambdaecho", filepath.Base("./bench/awslambdaecho"), "lambda.norpc")
	event := shapes()[1].build("GET", "/echo", "")
	ctx := context.Background()

	start := func(cmd []string, env ...string) *sandbox.Sandbox {
		sb, err := sandbox.Start(sandbox.Options{Command: cmd, Env: env, Timeout: 10 * time.Second, Stderr: io.Discard, Stdout: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		return sb
	}
	aws := start([]string{awsEcho}, "_HANDLER=echo")
	defer aws.Close()
	ours := start([]string{rt, app}, "AWS_LWA_PORT="+testutil.FreePort(b))
	defer ours.Close()
	invoke := func(sb *sandbox.Sandbox) time.Duration {
		t0 := time.Now()
		r, err := sb.Invoke(ctx, event, emulator.InvokeOptions{})
		d := time.Since(t0)
		if err != nil || r.Failed() {
			b.Fatalf("%v %+v", err, r)
		}
		return d
	}

	port := testutil.FreePort(b)
	cmd := exec.Command(app)
	cmd.Env = append(os.Environ(), "AWS_LWA_PORT="+port)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	// The hop alone, with http mode's client settings (New: MaxIdle is the
	// concurrency, here 1; a 2 s dial timeout) and the very request it
	// sends for this event (httpevent.Translate, as Invoke does).
	c := &h1.Client{Addr: "127.0.0.1:" + port, MaxIdle: 1, DialTimeout: 2 * time.Second}
	for !probe(c) {
		time.Sleep(time.Millisecond)
	}
	tr, err := httpevent.Translate(&api.Invocation{RequestID: "bench", DeadlineMs: time.Now().Add(time.Hour).UnixMilli(), Payload: event},
		&httpevent.Options{Env: httpevent.EnvConfig{FunctionName: "function", Memory: 128}})
	if err != nil {
		b.Fatal(err)
	}
	direct := func() time.Duration {
		t0 := time.Now()
		req := &h1.Request{Method: tr.Method, Path: tr.Target(), Host: tr.Host, Header: tr.Header,
			Body: bytes.NewReader(tr.Body), ContentLength: int64(len(tr.Body))}
		resp, err := c.Do(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return time.Since(t0)
	}

	for i := 0; i < 50; i++ { // warm up: processes, connections, caches
		invoke(aws)
		invoke(ours)
		direct()
	}
	var latAWS, latOurs, latDirect []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			latAWS = append(latAWS, invoke(aws))
			latOurs = append(latOurs, invoke(ours))
		} else {
			latOurs = append(latOurs, invoke(ours))
			latAWS = append(latAWS, invoke(aws))
		}
		latDirect = append(latDirect, direct())
	}
	b.StopTimer()
	report(b, "warm/aws-lambda-go", latAWS)
	report(b, "warm/faas-runtime-http", latOurs)
	report(b, "warm/app-direct", latDirect)
}

func report(b *testing.B, key string, lat []time.Duration) {
	p50, p99 := testutil.Percentile(lat, 50), testutil.Percentile(lat, 99)
	name := key[strings.LastIndexByte(key, '/')+1:]
	b.ReportMetric(float64(p50.Microseconds()), name+"-p50-µs")
	b.ReportMetric(float64(p99.Microseconds()), name+"-p99-µs")
	recordBench(key+"/p50", p50)
	recordBench(key+"/p99", p99)
}

// BenchmarkExecToReady: from starting the app to its readiness check
// passing. Ours is http mode's Init (first check at once, then polling
// from 250 µs doubling to 1 ms, 10 ms after 100 ms); the baseline is the
// adapter's loop, the same check every 10 ms.
func BenchmarkExecToReady(b *testing.B) {
	goApp := testutil.Binary(b, "./examples/http-go")
	apps := []struct {
		key string
		cmd []string
	}{{"ready", []string{goApp}}}
	if py, err := exec.LookPath("python3"); err == nil {
		if out, err := exec.Command(py, "-c", "import sys; print(sys.executable)").Output(); err == nil {
			py = string(out[:len(out)-1])
		}
		apps = append(apps, struct {
			key string
			cmd []string
		}{"ready-python", []string{py, filepath.Join(testutil.RepoRoot(b), "examples", "http-python", "app.py")}})
	}
	// The apps' logs would interleave with the results: the child inherits
	// this process's stdout and stderr, so point them at /dev/null here.
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = devnull, devnull
	defer func() { os.Stdout, os.Stderr = stdout, stderr; devnull.Close() }()
	for _, a := range apps {
		// Ours and the baseline alternate within one loop, so a change in
		// the machine's load hits both alike.
		b.Run(a.key, func(b *testing.B) {
			port := testutil.FreePort(b)
			env := map[string]string{"AWS_LWA_PORT": port}
			getenv := func(k string) string { return env[k] }
			ours := func() time.Duration {
				h, err := httpmode.New(modes.Config{Command: a.cmd, Concurrency: 1, Getenv: getenv, Log: slog.New(slog.DiscardHandler)})
				if err != nil {
					b.Fatal(err)
				}
				t0 := time.Now()
				if err := h.Init(context.Background()); err != nil {
					b.Fatal(err)
				}
				d := time.Since(t0)
				sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				h.Shutdown(sctx)
				cancel()
				return d
			}
			poll10ms := func() time.Duration {
				cmd := exec.Command(a.cmd[0], a.cmd[1:]...)
				cmd.Env = append(os.Environ(), "AWS_LWA_PORT="+port, "PORT="+port)
				c := &h1.Client{Addr: "127.0.0.1:" + port}
				t0 := time.Now()
				if err := cmd.Start(); err != nil {
					b.Fatal(err)
				}
				for !probe(c) {
					time.Sleep(10 * time.Millisecond)
				}
				d := time.Since(t0)
				c.CloseIdleConnections()
				cmd.Process.Signal(syscall.SIGTERM)
				cmd.Wait()
				return d
			}
			var latOurs, latBase []time.Duration
			for i := 0; i < b.N; i++ {
				if i%2 == 0 {
					latOurs = append(latOurs, ours())
					latBase = append(latBase, poll10ms())
				} else {
					latBase = append(latBase, poll10ms())
					latOurs = append(latOurs, ours())
				}
			}
			po, pb := testutil.Percentile(latOurs, 50), testutil.Percentile(latBase, 50)
			b.ReportMetric(float64(po.Microseconds()), "ours-p50-µs")
			b.ReportMetric(float64(pb.Microseconds()), "poll10ms-p50-µs")
			recordBench(a.key+"/faas-runtime/p50", po)
			recordBench(a.key+"/poll-10ms/p50", pb)
		})
	}
}

func probe(c *h1.Client) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	resp, err := c.Do(ctx, &h1.Request{Method: "GET", Path: "/"})
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode >= 100 && resp.StatusCode < 500
}

// BenchmarkInvokeInProcess: http mode's own share of a warm round trip:
// Handler.Invoke (translation, the request to the Go app, the response
// shape) called directly, without the Runtime API and its two processes.
func BenchmarkInvokeInProcess(b *testing.B) {
	app := testutil.Binary(b, "./examples/http-go")
	env := map[string]string{"AWS_LWA_PORT": testutil.FreePort(b)}
	h, err := httpmode.New(modes.Config{Command: []string{app}, Concurrency: 1, Getenv: func(k string) string { return env[k] }, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	devnull, _ := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	stderr := os.Stderr
	os.Stderr = devnull
	err = h.Init(context.Background())
	os.Stderr = stderr
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		h.Shutdown(ctx)
		cancel()
		devnull.Close()
	}()
	inv := &api.Invocation{RequestID: "bench", DeadlineMs: time.Now().Add(time.Hour).UnixMilli(), Payload: shapes()[1].build("GET", "/echo", "")}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		r := h.Invoke(context.Background(), inv)
		lat = append(lat, time.Since(t0))
		if r.Err != nil {
			b.Fatal(r.Err)
		}
	}
	b.StopTimer()
	report(b, "invoke-in-process", lat)
}
