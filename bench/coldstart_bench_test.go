package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/runtime/h1"
)

// coldContender is one program of the cold-start benchmark. start begins
// one cold start and returns the process whose tree's CPU time counts, the
// moment it was started, and a channel that yields when it is done (its
// GET /next arrived; for the driver's own polling, the app answered).
type coldContender struct {
	name  string
	size  string // binary whose size the table reports; "" for none
	start func(b *testing.B, api *runtimeAPI) (*exec.Cmd, <-chan time.Time)
	wall  []time.Duration
	cpu   []time.Duration
	rss   []float64
}

// BenchmarkColdStart measures a cold start: exec of a bootstrap to its first
// GET /next at a minimal Runtime API (a raw TCP listener that holds /next
// open), as wall time and as CPU time summed over every thread of the
// process and its children (/proc/PID/task/*/schedstat, read when /next
// arrives). Every iteration starts each contender once, in an order that
// rotates, so the shared machine's load hits them alike; compare the ratios
// of one run. One iteration is a dozen cold starts: run it with
// -benchtime 100x, not the warm benchmark's 2000x.
func BenchmarkColdStart(b *testing.B) {
	bb := build(b)
	api := startRuntimeAPI(b)
	defer api.Close()
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devnull.Close()
	baseEnv := []string{"AWS_LAMBDA_RUNTIME_API=" + api.Addr(), "PATH=/usr/bin:/bin", "LAMBDA_TASK_ROOT=/var/task"}
	// runtime starts a bootstrap whose cold start ends at its first /next.
	runtime := func(env []string, argv ...string) func(*testing.B, *runtimeAPI) (*exec.Cmd, <-chan time.Time) {
		return func(b *testing.B, api *runtimeAPI) (*exec.Cmd, <-chan time.Time) {
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Env = append(slices.Clone(baseEnv), env...)
			cmd.Stdout, cmd.Stderr = devnull, devnull
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the http app dies with its group
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			return cmd, api.arrived
		}
	}
	contenders := []*coldContender{
		{name: "faas-runtime exec", size: bb.faas, start: runtime([]string{"_HANDLER=" + bb.cat}, bb.faas)},
		{name: "faas-runtime http", start: func(b *testing.B, api *runtimeAPI) (*exec.Cmd, <-chan time.Time) {
			return runtime([]string{"AWS_LWA_PORT=" + testutil.FreePort(b)}, bb.faas, bb.httpApp)(b, api)
		}},
		{name: "http app, adapter's 10 ms polling", start: func(b *testing.B, _ *runtimeAPI) (*exec.Cmd, <-chan time.Time) {
			return pollApp(b, bb.httpApp, 10*time.Millisecond, devnull)
		}},
		{name: "http app, polled every 100 µs", start: func(b *testing.B, _ *runtimeAPI) (*exec.Cmd, <-chan time.Time) {
			return pollApp(b, bb.httpApp, 100*time.Microsecond, devnull)
		}},
		{name: "faas-runtime-sharedlib", size: bb.sharedlib, start: runtime(nil, bb.sharedlib, bb.echoSO)},
		{name: "aws-lambda-go", size: bb.awsEcho, start: runtime([]string{"_HANDLER=echo"}, bb.awsEcho)},
		{name: "floor (net/http)", size: bb.floor, start: runtime(nil, bb.floor)},
		{name: "Go floor (syscalls only)", size: bb.goMin, start: runtime(nil, bb.goMin)},
		{name: "Go floor + os/signal", size: bb.goMinSignal, start: runtime(nil, bb.goMinSignal)},
		{name: "Go floor + faas-runtime's packages", size: bb.goMinLinked, start: runtime(nil, bb.goMinLinked)},
		{name: "static C", size: bb.cNext, start: runtime(nil, bb.cNext)},
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range contenders {
			c := contenders[(i+k)%len(contenders)]
			api.drain()
			t0 := time.Now()
			cmd, done := c.start(b, api)
			var t1 time.Time
			select {
			case t1 = <-done:
			case <-time.After(10 * time.Second):
				killTree(cmd)
				b.Fatalf("%s: no /next within 10 s", c.name)
			}
			// Read at once: the process now blocks on /next (or the app
			// idles), so this is the CPU time its cold start took.
			cpu, err := treeCPU(cmd.Process.Pid)
			if err != nil {
				b.Fatalf("%s: %v", c.name, err)
			}
			c.wall = append(c.wall, t1.Sub(t0))
			c.cpu = append(c.cpu, cpu)
			if kb, err := testutil.RSSKiB(cmd.Process.Pid); err == nil {
				c.rss = append(c.rss, kb)
			}
			killTree(cmd)
		}
	}
	b.StopTimer()
	coldOrder = coldOrder[:0]
	for _, c := range contenders {
		w, u := testutil.Percentile(c.wall, 50), testutil.Percentile(c.cpu, 50)
		key := "cold/" + c.name
		record(key+"/wall", float64(w.Microseconds()))
		record(key+"/cpu", float64(u.Microseconds()))
		if len(c.rss) > 0 {
			slices.Sort(c.rss)
			record(key+"/rss", c.rss[len(c.rss)/2])
		}
		if c.size != "" {
			if st, err := os.Stat(c.size); err == nil {
				record(key+"/size", float64(st.Size()))
			}
		}
		coldOrder = append(coldOrder, c.name)
	}
	for _, k := range []string{"faas-runtime exec", "aws-lambda-go"} {
		b.ReportMetric(results["cold/"+k+"/wall"], strings.ReplaceAll(k, " ", "-")+"-wall-µs")
	}
}

// coldOrder is the table's row order.
var coldOrder []string

// pollApp starts the web app and checks GET / every interval until it
// answers; done yields when it did. Every 10 ms is the adapter's way to
// wait for the app; every 100 µs shows when the app is ready.
func pollApp(b *testing.B, app string, interval time.Duration, devnull *os.File) (*exec.Cmd, <-chan time.Time) {
	port := testutil.FreePort(b)
	cmd := exec.Command(app)
	cmd.Env = []string{"AWS_LWA_PORT=" + port, "PORT=" + port, "PATH=/usr/bin:/bin"}
	cmd.Stdout, cmd.Stderr = devnull, devnull
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan time.Time, 1)
	go func() {
		c := &h1.Client{Addr: "127.0.0.1:" + port}
		defer c.CloseIdleConnections()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(interval) {
			if probe(c) {
				done <- time.Now()
				return
			}
		}
	}()
	return cmd, done
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
	return resp.StatusCode == 200
}

// runtimeAPI is the smallest Runtime API a cold start needs: it notes when
// a GET /next arrives and never answers it, so the runtime then idles.
type runtimeAPI struct {
	ln      net.Listener
	arrived chan time.Time
}

func startRuntimeAPI(b *testing.B) *runtimeAPI {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	a := &runtimeAPI{ln: ln, arrived: make(chan time.Time, 16)}
	go a.serve()
	return a
}

func (a *runtimeAPI) Addr() string { return a.ln.Addr().String() }
func (a *runtimeAPI) Close()       { a.ln.Close() }

// drain drops an arrival left over from an earlier process.
func (a *runtimeAPI) drain() {
	for {
		select {
		case <-a.arrived:
		default:
			return
		}
	}
}

func (a *runtimeAPI) serve() {
	for {
		nc, err := a.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer nc.Close()
			br := bufio.NewReader(nc)
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			for { // the rest of the header
				l, err := br.ReadString('\n')
				if err != nil {
					return
				}
				if l == "\r\n" {
					break
				}
			}
			if strings.HasPrefix(line, "GET ") && strings.Contains(line, "/runtime/invocation/next ") {
				a.arrived <- time.Now()
			}
			io.Copy(io.Discard, br) // hold /next open until the runtime dies
		}()
	}
}

// treeCPU is the CPU time of pid and all its descendants, summed over
// their threads (the first field of /proc/PID/task/TID/schedstat, ns).
func treeCPU(pid int) (time.Duration, error) {
	var total time.Duration
	for _, p := range tree(pid) {
		d, err := procCPU(p)
		if err != nil && p == pid {
			return 0, err
		}
		total += d
	}
	return total, nil
}

// procCPU is the CPU time of every thread of one process.
func procCPU(pid int) (time.Duration, error) {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if len(tasks) == 0 {
		return 0, fmt.Errorf("no /proc/%d/task/*/schedstat (Linux with schedstats needed)", pid)
	}
	var total time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue // the thread ended
		}
		f := bytes.Fields(b)
		if len(f) == 0 {
			continue
		}
		ns, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %q", t, b)
		}
		total += time.Duration(ns)
	}
	return total, nil
}

// tree is pid and its descendants (/proc/PID/task/*/children).
func tree(pid int) []int {
	pids := []int{pid}
	for i := 0; i < len(pids); i++ {
		files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pids[i]))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			for _, s := range strings.Fields(string(b)) {
				if n, err := strconv.Atoi(s); err == nil {
					pids = append(pids, n)
				}
			}
		}
	}
	return pids
}

// killTree kills the process's group and its descendants (the http app
// has a group of its own) and waits until they are gone, so the next cold
// start has the machine and the port to itself.
func killTree(cmd *exec.Cmd) {
	pids := tree(cmd.Process.Pid)
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	for _, p := range pids[1:] {
		syscall.Kill(-p, syscall.SIGKILL)
		syscall.Kill(p, syscall.SIGKILL)
	}
	cmd.Wait()
	for _, p := range pids[1:] {
		for k := 0; k < 1000 && syscall.Kill(p, 0) == nil; k++ {
			if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p)); err == nil && bytes.Contains(st, []byte(") Z ")) {
				break // a zombie until init reaps it: it holds nothing
			}
			time.Sleep(time.Millisecond)
		}
	}
}
