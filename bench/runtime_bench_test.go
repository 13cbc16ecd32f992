// Package bench measures faas-runtime against its baselines in one run:
// the aws-lambda-go bootstrap (lambda.Start, lambda.norpc, -s -w) and the
// floor (a bare net/http GET next / POST response loop), all over the same
// emulator on loopback. `make bench` runs it and prints the table that goes
// into OPTIMIZATION.md.
package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/sandbox"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// results collects every row so TestMain can print one table with ratios.
var (
	resultsMu sync.Mutex
	results   = map[string]float64{}
)

func record(key string, v float64) {
	resultsMu.Lock()
	results[key] = v
	resultsMu.Unlock()
}

func TestMain(m *testing.M) {
	code := m.Run()
	printTable()
	testutil.CleanupBinaries()
	os.Exit(code)
}

type binaries struct{ faas, awsEcho, floor, cat string }

var (
	binOnce sync.Once
	bins    binaries
	binErr  error
)

func build(b *testing.B) binaries {
	b.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "faas-bench-")
		if err != nil {
			binErr = err
			return
		}
		bins.faas = testutil.GoBuild(b, dir, "./cmd/faas-runtime", "faas-runtime")
		bins.floor = testutil.GoBuild(b, dir, "./bench/floor", "floor")
		bins.awsEcho = testutil.GoBuildTags(b, dir, "./bench/awslambdaecho", "aws-lambda-go-echo", "lambda.norpc")
		bins.cat = filepath.Join(dir, "cat")
		if out, err := exec.Command("gcc", "-static", "-O2", "-s", "-o", bins.cat, filepath.Join(testutil.RepoRoot(b), "bench/testdata/cat.c")).CombinedOutput(); err != nil {
			binErr = fmt.Errorf("gcc -static cat.c: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		b.Fatal(binErr)
	}
	return bins
}

var event = []byte(`{"hello":"world","n":12345}`)

// BenchmarkWarm is the warm round trip: one invocation through the emulator
// and the runtime process. The contenders — the floor, aws-lambda-go,
// faas-runtime in exec mode, and the fork+exec of the function alone — take
// turns within each iteration, so a change in the machine's load (it is
// shared) hits them alike and the ratios hold.
func BenchmarkWarm(b *testing.B) {
	bb := build(b)
	contenders := []struct {
		name string
		cmd  []string
		sb   *sandbox.Sandbox
		lat  []time.Duration
	}{
		{name: "floor", cmd: []string{bb.floor}},
		{name: "aws-lambda-go", cmd: []string{bb.awsEcho}},
		{name: "faas-runtime-exec", cmd: []string{bb.faas, bb.cat}},
	}
	ctx := context.Background()
	for i := range contenders {
		c := &contenders[i]
		sb, err := sandbox.Start(sandbox.Options{Command: c.cmd, Env: []string{"_HANDLER=echo"}, Timeout: 10 * time.Second, Stderr: io.Discard, Stdout: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		defer sb.Close()
		c.sb = sb
		for k := 0; k < 20; k++ { // warm up: start the process, fill caches
			if r, err := sb.Invoke(ctx, event, emulator.InvokeOptions{}); err != nil || r.Failed() {
				b.Fatalf("%s warm-up: %v %+v", c.name, err, r)
			}
		}
	}
	var forkExec []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range contenders {
			c := &contenders[k]
			t0 := time.Now()
			r, err := c.sb.Invoke(ctx, event, emulator.InvokeOptions{})
			c.lat = append(c.lat, time.Since(t0))
			if err != nil || r.Failed() || string(r.Body) != string(event) {
				b.Fatalf("%s: %v %+v", c.name, err, r)
			}
		}
		// The cost exec mode cannot avoid: fork+exec of the function with
		// the event on stdin and its stdout read back.
		t0 := time.Now()
		cmd := exec.Command(bb.cat)
		cmd.Stdin = strings.NewReader(string(event))
		out, err := cmd.Output()
		forkExec = append(forkExec, time.Since(t0))
		if err != nil || string(out) != string(event) {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	for _, c := range contenders {
		p50, p99 := testutil.Percentile(c.lat, 50), testutil.Percentile(c.lat, 99)
		b.ReportMetric(float64(p50.Microseconds()), c.name+"-p50-µs")
		record("warm/"+c.name+"/p50", float64(p50.Microseconds()))
		record("warm/"+c.name+"/p99", float64(p99.Microseconds()))
		record("warm/"+c.name+"/ips", float64(time.Second)/float64(mean(c.lat)))
	}
	fe := testutil.Percentile(forkExec, 50)
	b.ReportMetric(float64(fe.Microseconds()), "forkexec-p50-µs")
	record("forkexec/p50", float64(fe.Microseconds()))
}

// BenchmarkColdStart measures exec of the bootstrap to its first GET /next,
// and the idle RSS once it waits there.
func BenchmarkColdStart(b *testing.B) {
	bb := build(b)
	for _, v := range []struct {
		name string
		cmd  []string
	}{
		{"aws-lambda-go", []string{bb.awsEcho}},
		{"faas-runtime", []string{bb.faas, bb.cat}},
	} {
		b.Run(v.name, func(b *testing.B) {
			arrived := make(chan struct{}, 1)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				arrived <- struct{}{}
				<-r.Context().Done() // hold /next open: the runtime now idles
			})}
			go srv.Serve(ln)
			defer srv.Close()
			var lat []time.Duration
			var rss []float64
			for i := 0; i < b.N; i++ {
				cmd := exec.Command(v.cmd[0], v.cmd[1:]...)
				cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=" + ln.Addr().String(), "_HANDLER=echo", "PATH=/usr/bin:/bin"}
				t0 := time.Now()
				if err := cmd.Start(); err != nil {
					b.Fatal(err)
				}
				select {
				case <-arrived:
				case <-time.After(10 * time.Second):
					b.Fatal("no /next within 10 s")
				}
				lat = append(lat, time.Since(t0))
				if kb, err := testutil.RSSKiB(cmd.Process.Pid); err == nil {
					rss = append(rss, kb)
				}
				cmd.Process.Kill()
				cmd.Wait()
			}
			p50 := testutil.Percentile(lat, 50)
			b.ReportMetric(float64(p50.Microseconds()), "p50-µs")
			record("cold/"+v.name+"/p50", float64(p50.Microseconds()))
			if len(rss) > 0 {
				slices.Sort(rss)
				b.ReportMetric(rss[len(rss)/2], "rss-KB")
				record("rss/"+v.name, rss[len(rss)/2])
			}
			st, _ := os.Stat(v.cmd[0])
			b.ReportMetric(float64(st.Size()), "bytes")
			record("size/"+v.name, float64(st.Size()))
		})
	}
}

func mean(d []time.Duration) time.Duration {
	var t time.Duration
	for _, x := range d {
		t += x
	}
	return t / time.Duration(max(1, len(d)))
}

// printTable prints the comparison with ratios computed in this run.
func printTable() {
	resultsMu.Lock()
	defer resultsMu.Unlock()
	if len(results) == 0 {
		return
	}
	r := results
	ratio := func(a, b float64) string {
		if b == 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.2f×", a/b)
	}
	fmt.Println()
	fmt.Println("| measure | faas-runtime | aws-lambda-go | floor | ratio |")
	fmt.Println("| --- | --- | --- | --- | --- |")
	if r["warm/floor/p50"] > 0 {
		fe := r["forkexec/p50"]
		fmt.Printf("| warm round trip p50 (µs), exec mode | %.0f | %.0f | %.0f | exec / (fork+exec %.0f + floor) = %s |\n",
			r["warm/faas-runtime-exec/p50"], r["warm/aws-lambda-go/p50"], r["warm/floor/p50"], fe,
			ratio(r["warm/faas-runtime-exec/p50"], fe+r["warm/floor/p50"]))
		fmt.Printf("| warm round trip p99 (µs) | %.0f | %.0f | %.0f | |\n",
			r["warm/faas-runtime-exec/p99"], r["warm/aws-lambda-go/p99"], r["warm/floor/p99"])
		fmt.Printf("| invocations per second | %.0f | %.0f | %.0f | |\n",
			r["warm/faas-runtime-exec/ips"], r["warm/aws-lambda-go/ips"], r["warm/floor/ips"])
	}
	if r["cold/aws-lambda-go/p50"] > 0 {
		fmt.Printf("| cold start to first /next p50 (µs) | %.0f | %.0f | | %s |\n",
			r["cold/faas-runtime/p50"], r["cold/aws-lambda-go/p50"], ratio(r["cold/faas-runtime/p50"], r["cold/aws-lambda-go/p50"]))
		fmt.Printf("| stripped binary size (bytes) | %.0f | %.0f | | %s |\n",
			r["size/faas-runtime"], r["size/aws-lambda-go"], ratio(r["size/faas-runtime"], r["size/aws-lambda-go"]))
		fmt.Printf("| idle RSS (KiB) | %.0f | %.0f | | %s |\n",
			r["rss/faas-runtime"], r["rss/aws-lambda-go"], ratio(r["rss/faas-runtime"], r["rss/aws-lambda-go"]))
	}
}
