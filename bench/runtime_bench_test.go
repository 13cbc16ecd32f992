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
	"os"
	"os/exec"
	"path/filepath"
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

type binaries struct {
	faas, awsEcho, floor, cat string
	// the cold-start benchmark's too
	sharedlib, echoSO, httpApp, goMin, goMinSignal, goMinLinked, cNext string
}

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
		bins.sharedlib = testutil.GoBuildTags(b, dir, "./cmd/faas-runtime", "faas-runtime-sharedlib", "sharedlib")
		bins.httpApp = testutil.GoBuild(b, dir, "./examples/http-go", "http-go")
		bins.goMin = testutil.GoBuild(b, dir, "./bench/gomin", "gomin")
		bins.goMinSignal = testutil.GoBuildTags(b, dir, "./bench/gomin", "gomin-signal", "signal")
		bins.goMinLinked = testutil.GoBuildTags(b, dir, "./bench/gomin", "gomin-linked", "linked")
		root := testutil.RepoRoot(b)
		bins.cat = filepath.Join(dir, "cat")
		bins.cNext = filepath.Join(dir, "next")
		bins.echoSO = filepath.Join(dir, "echo.so")
		for _, cc := range [][]string{
			{"gcc", "-static", "-O2", "-s", "-o", bins.cat, filepath.Join(root, "bench/testdata/cat.c")},
			{"gcc", "-static", "-O2", "-s", "-o", bins.cNext, filepath.Join(root, "bench/testdata/next.c")},
			{"gcc", "-shared", "-fPIC", "-O2", "-I" + filepath.Join(root, "include"), "-o", bins.echoSO, filepath.Join(root, "examples/sharedlib-c/echo.c")},
		} {
			if out, err := exec.Command(cc[0], cc[1:]...).CombinedOutput(); err != nil {
				binErr = fmt.Errorf("%s: %v\n%s", strings.Join(cc, " "), err, out)
				return
			}
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
	if r["warm/floor/p50"] > 0 {
		fmt.Println()
		fmt.Println("| measure | faas-runtime | aws-lambda-go | floor | ratio |")
		fmt.Println("| --- | --- | --- | --- | --- |")
		fe := r["forkexec/p50"]
		fmt.Printf("| warm round trip p50 (µs), exec mode | %.0f | %.0f | %.0f | exec / (fork+exec %.0f + floor) = %s |\n",
			r["warm/faas-runtime-exec/p50"], r["warm/aws-lambda-go/p50"], r["warm/floor/p50"], fe,
			ratio(r["warm/faas-runtime-exec/p50"], fe+r["warm/floor/p50"]))
		fmt.Printf("| warm round trip p99 (µs) | %.0f | %.0f | %.0f | |\n",
			r["warm/faas-runtime-exec/p99"], r["warm/aws-lambda-go/p99"], r["warm/floor/p99"])
		fmt.Printf("| invocations per second | %.0f | %.0f | %.0f | |\n",
			r["warm/faas-runtime-exec/ips"], r["warm/aws-lambda-go/ips"], r["warm/floor/ips"])
	}
	if a := r["lmi/aws-lambda-go/ips"]; a > 0 {
		fmt.Printf("\n| Managed Instances, AWS_LAMBDA_MAX_CONCURRENCY=%.0f, %.0f invokers | invocations/s | p50 (µs) | p99 (µs) | invocations/s / aws-lambda-go | p50 / aws-lambda-go | CPU µs per invocation: runtime process | its lasting children (the app) |\n", r["lmi/concurrency"], r["lmi/clients"])
		fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- |")
		for _, n := range lmiOrder {
			k := "lmi/" + n
			fmt.Printf("| %s | %.0f | %.0f | %.0f | %s | %s | %.1f | %.1f |\n", n, r[k+"/ips"], r[k+"/p50"], r[k+"/p99"],
				ratio(r[k+"/ips"], a), ratio(r[k+"/p50"], r["lmi/aws-lambda-go/p50"]), r[k+"/cpu"], r[k+"/cpukids"])
		}
	}
	printStreamTable(r, ratio)
	if r["cold/aws-lambda-go/wall"] > 0 {
		aw, ac := r["cold/aws-lambda-go/wall"], r["cold/aws-lambda-go/cpu"]
		fmt.Println()
		fmt.Println("| cold start, exec to first /next (median) | wall (µs) | CPU, all threads (µs) | wall / aws-lambda-go | CPU / aws-lambda-go | idle RSS (KiB) | binary (bytes) |")
		fmt.Println("| --- | --- | --- | --- | --- | --- | --- |")
		for _, n := range coldOrder {
			k := "cold/" + n
			size := ""
			if r[k+"/size"] > 0 {
				size = fmt.Sprintf("%.0f", r[k+"/size"])
			}
			fmt.Printf("| %s | %.0f | %.0f | %s | %s | %.0f | %s |\n", n, r[k+"/wall"], r[k+"/cpu"],
				ratio(r[k+"/wall"], aw), ratio(r[k+"/cpu"], ac), r[k+"/rss"], size)
		}
		hw, pw := r["cold/faas-runtime http/wall"], r["cold/http app, adapter's 10 ms polling/wall"]
		fmt.Printf("\nhttp mode, exec of faas-runtime to first /next (app ready) / the app polled every 10 ms from its exec: %s\n", ratio(hw, pw))
	}
}
