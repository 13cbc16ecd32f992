//go:build linux

package sharedlib_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/sandbox"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/internal/testutil/sharedlibtest"
)

// Benchmark figures, printed as one table by printBenchTable (TestMain).
var (
	benchMu  sync.Mutex
	benchRes = map[string]float64{}
)

func record(k string, v float64) {
	benchMu.Lock()
	benchRes[k] = v
	benchMu.Unlock()
}

var benchEvent = []byte(`{"hello":"world","n":12345}`)

// BenchmarkWarmRoundTrip is one warm invocation through the emulator for
// the C echo library in faas-runtime-sharedlib, the floor (bench/floor: a
// bare net/http GET next / POST response loop) and the aws-lambda-go echo
// bootstrap. The three run side by side and are invoked in turn, so load
// from other processes on the machine hits them alike; one b.N iteration
// is one invocation of each.
func BenchmarkWarmRoundTrip(b *testing.B) {
	rt, _ := sharedlibtest.Runtimes(b)
	dir := b.TempDir()
	contenders := []struct {
		name string
		cmd  []string
	}{
		{"floor", []string{testutil.GoBuild(b, dir, "./bench/floor", "floor")}},
		{"aws-lambda-go", []string{testutil.GoBuildTags(b, dir, "./bench/awslambdaecho", "aws-lambda-go-echo", "lambda.norpc")}},
		{"sharedlib-c-echo", []string{rt, sharedlibtest.CLib(b, "examples/sharedlib-c/echo.c", "echo.so")}},
	}
	sbs := make([]*sandbox.Sandbox, len(contenders))
	lat := make([][]time.Duration, len(contenders))
	ctx := context.Background()
	for i, c := range contenders {
		sb, err := sandbox.Start(sandbox.Options{Command: c.cmd, Env: []string{"_HANDLER=echo"}, Timeout: 10 * time.Second, Stdout: io.Discard, Stderr: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		defer sb.Close()
		sbs[i] = sb
		for range 50 { // warm up: start the process, fill caches
			if r, err := sb.Invoke(ctx, benchEvent, emulator.InvokeOptions{}); err != nil || r.Failed() {
				b.Fatalf("%s warm-up: %v %+v", c.name, err, r)
			}
		}
		lat[i] = make([]time.Duration, 0, b.N)
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for k := range contenders {
			i := (n + k) % len(contenders) // rotate who goes first
			t0 := time.Now()
			r, err := sbs[i].Invoke(ctx, benchEvent, emulator.InvokeOptions{})
			lat[i] = append(lat[i], time.Since(t0))
			if err != nil || r.Failed() || string(r.Body) != string(benchEvent) {
				b.Fatalf("%s: %v %+v", contenders[i].name, err, r)
			}
		}
	}
	b.StopTimer()
	for i, c := range contenders {
		p50, p99 := testutil.Percentile(lat[i], 50), testutil.Percentile(lat[i], 99)
		b.ReportMetric(float64(p50.Microseconds()), c.name+"-p50-µs")
		record("warm/"+c.name+"/p50", float64(p50.Microseconds()))
		record("warm/"+c.name+"/p99", float64(p99.Microseconds()))
	}
	if f := benchRes["warm/floor/p50"]; f > 0 {
		b.ReportMetric(benchRes["warm/sharedlib-c-echo/p50"]/f, "sharedlib/floor")
	}
}

// BenchmarkIdle is the binary size and the idle RSS (waiting in GET /next
// after init) of faas-runtime-sharedlib with the C echo library loaded,
// next to the static faas-runtime in exec mode.
func BenchmarkIdle(b *testing.B) {
	shared, static := sharedlibtest.Runtimes(b)
	for _, c := range []struct {
		name string
		cmd  []string
	}{
		{"faas-runtime", []string{static, "/bin/cat"}},
		{"faas-runtime-sharedlib", []string{shared, sharedlibtest.CLib(b, "examples/sharedlib-c/echo.c", "echo.so")}},
	} {
		b.Run(c.name, func(b *testing.B) {
			arrived := make(chan struct{}, 1)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				arrived <- struct{}{}
				<-r.Context().Done() // hold /next open: the runtime idles
			})}
			go srv.Serve(ln)
			defer srv.Close()
			var rss []float64
			for i := 0; i < b.N; i++ {
				cmd := exec.Command(c.cmd[0], c.cmd[1:]...)
				cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=" + ln.Addr().String(), "PATH=/usr/bin:/bin"}
				if err := cmd.Start(); err != nil {
					b.Fatal(err)
				}
				select {
				case <-arrived:
				case <-time.After(10 * time.Second):
					b.Fatal("no /next within 10 s")
				}
				if kb, err := testutil.RSSKiB(cmd.Process.Pid); err == nil {
					rss = append(rss, kb)
				}
				cmd.Process.Kill()
				cmd.Wait()
			}
			slices.Sort(rss)
			st, _ := os.Stat(c.cmd[0])
			b.ReportMetric(rss[len(rss)/2], "rss-KiB")
			b.ReportMetric(float64(st.Size()), "bytes")
			record("rss/"+c.name, rss[len(rss)/2])
			record("size/"+c.name, float64(st.Size()))
		})
	}
}

// printBenchTable prints the rows for OPTIMIZATION.md's sharedlib section.
func printBenchTable() {
	benchMu.Lock()
	defer benchMu.Unlock()
	r := benchRes
	if len(r) == 0 {
		return
	}
	fmt.Println()
	if f := r["warm/floor/p50"]; f > 0 {
		fmt.Println("| warm round trip | p50 (µs) | p99 (µs) | p50 vs floor |")
		fmt.Println("| --- | --- | --- | --- |")
		for _, n := range []string{"floor", "aws-lambda-go", "sharedlib-c-echo"} {
			fmt.Printf("| %s | %.0f | %.0f | %.3f× |\n", n, r["warm/"+n+"/p50"], r["warm/"+n+"/p99"], r["warm/"+n+"/p50"]/f)
		}
		fmt.Println()
	}
	if s := r["size/faas-runtime"]; s > 0 {
		fmt.Println("| build | stripped size (bytes) | idle RSS (KiB) |")
		fmt.Println("| --- | --- | --- |")
		for _, n := range []string{"faas-runtime", "faas-runtime-sharedlib"} {
			fmt.Printf("| %s | %.0f | %.0f |\n", n, r["size/"+n], r["rss/"+n])
		}
	}
}
