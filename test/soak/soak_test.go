// Package soak drives the runtime through the emulator with thousands of
// invocations while injecting faults at a seeded rate, and checks Lambda's
// contract by counting on the emulator's side: every invocation gets
// exactly one response or error, of the type the fault calls for, and the
// runtime's file descriptors, threads and memory stay bounded.
//
//	go test ./soak/ -run TestSoak -soak.n 1700   # make soak: 10,200 invocations
package soak

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator/emulatortest"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/sandbox"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/modes/httpmode"
)

var (
	perConfig = flag.Int("soak.n", 150, "invocations per mode × concurrency configuration")
	faultRate = flag.Float64("soak.faults", 0.10, "share of invocations with an injected fault")
	seed      = flag.Uint64("soak.seed", 1, "seed of the fault plan")
	report    = flag.String("soak.report", "", "also write the summary table (markdown) to this file")
)

func TestMain(m *testing.M) {
	code := m.Run()
	testutil.CleanupBinaries()
	os.Exit(code)
}

// A fault is one way to misbehave and what Lambda's answer must be.
type fault struct {
	name string
	// want is the error type, or "" for a successful response.
	want string
	// alsoOK lists other acceptable outcomes (e.g. SIGTERM racing delivery).
	alsoOK []string
	// killsRuntime marks faults that end the runtime process: invocations
	// in flight at the same time may then end with Runtime.ExitError.
	killsRuntime bool
	// killsApp marks faults that end the http mode's web app, which
	// concurrent invocations share: those in flight may fail with it.
	killsApp bool
	// platformTimeout marks a hang the runtime cannot interrupt (a call
	// inside a loaded library): Lambda answers it by resetting the sandbox.
	platformTimeout bool
}

// target is a mode under test: how to start its runtime and which faults
// apply to it. http and sharedlib modes add their own targets.
type target struct {
	name   string
	cmd    func(t *testing.T) []string
	env    func(t *testing.T) []string
	faults []fault
	// garbage is the response expected for the "garbage" fault's bytes.
	garbage []byte
}

// garbageBytes is what the "garbage" fault writes: not UTF-8, not JSON.
var garbageBytes = []byte{0xff, 0xfe, 0x00, 0x01, '{', '{', 0x80}

func jsonString(b []byte) []byte {
	out, _ := json.Marshal(string(b))
	return out
}

// runtimeFaults end the runtime process or its Runtime API connection;
// every mode gets them.
var runtimeFaults = []fault{
	{name: "api-drop", want: api.ErrTypeExit, killsRuntime: true},
	{name: "api-500", want: api.ErrTypeExit, killsRuntime: true},
	{name: "sigterm", want: api.ErrTypeExit, alsoOK: []string{""}, killsRuntime: true},
}

var execTarget = target{
	name: "exec",
	cmd: func(t *testing.T) []string {
		return []string{testutil.Binary(t, "./cmd/faas-runtime"), testutil.Binary(t, "./test/soak/faulty")}
	},
	env:     func(*testing.T) []string { return nil },
	garbage: garbageBytes, // exec mode passes stdout through untouched
	faults: append([]fault{
		{name: "crash", want: api.ErrTypeExit},
		{name: "exit", want: api.ErrTypeExit},
		{name: "hang", want: api.ErrTypeTimeout},
		{name: "stderr", want: ""},
		{name: "oversize", want: api.ErrTypeResponseTooBig},
		{name: "garbage", want: ""},
		{name: "slow", want: ""},
	}, runtimeFaults...),
}

// httpTarget runs a web app child; direct invokes reach it on the
// pass-through path.
var httpTarget = target{
	name: "http",
	cmd: func(t *testing.T) []string {
		return []string{testutil.Binary(t, "./cmd/faas-runtime"), testutil.Binary(t, "./test/soak/faultyhttp")}
	},
	env: func(t *testing.T) []string {
		return []string{"AWS_LWA_PORT=" + testutil.FreePort(t), "AWS_LWA_ERROR_STATUS_CODES=500"}
	},
	// A pass-through body that is not JSON comes back as a JSON string,
	// as AWS Lambda Web Adapter returns it.
	garbage: jsonString(garbageBytes),
	faults: append([]fault{
		// The app dying mid-request: the reaper may or may not have seen
		// the exit when the broken connection is reported.
		{name: "crash", want: api.ErrTypeExit, alsoOK: []string{"Runtime.AppRequestFailed"}, killsApp: true},
		{name: "killed", want: api.ErrTypeExit, alsoOK: []string{"Runtime.AppRequestFailed"}, killsApp: true},
		{name: "exit", want: httpmode.ErrTypeErrorStatus},
		{name: "hang", want: api.ErrTypeTimeout},
		{name: "stderr", want: ""},
		{name: "oversize", want: api.ErrTypeResponseTooBig},
		{name: "garbage", want: ""},
		{name: "slow", want: ""},
	}, runtimeFaults...),
}

// sharedlibTarget loads soak/testdata/faulty.c into faas-runtime-sharedlib.
// A crash or a hang in the library takes the runtime with it, as in Lambda.
var sharedlibTarget = target{
	name: "sharedlib",
	cmd: func(t *testing.T) []string {
		testutil.Need(t, "gcc")
		lib := filepath.Join(t.TempDir(), "faulty.so")
		root := testutil.RepoRoot(t)
		if out, err := exec.Command("gcc", "-shared", "-fPIC", "-O2", "-I"+filepath.Join(root, "include"), "-o", lib, filepath.Join(root, "test/soak/testdata/faulty.c")).CombinedOutput(); err != nil {
			t.Fatalf("gcc faulty.c: %v\n%s", err, out)
		}
		return []string{testutil.BinaryWithTags(t, "./cmd/faas-runtime", "sharedlib"), lib}
	},
	env:     func(*testing.T) []string { return nil },
	garbage: garbageBytes,
	faults: append([]fault{
		{name: "crash", want: api.ErrTypeExit, killsRuntime: true},
		{name: "exit", want: "FaultError"},
		{name: "hang", want: api.ErrTypeTimeout, killsRuntime: true, platformTimeout: true},
		{name: "stderr", want: ""},
		{name: "oversize", want: api.ErrTypeResponseTooBig},
		{name: "garbage", want: ""},
		{name: "slow", want: ""},
	}, runtimeFaults...),
}

// targets lists every mode the soak covers.
var targets = []target{execTarget, httpTarget, sharedlibTarget}

// runtimeLog is where the runtime's and the functions' logs go: nowhere,
// unless SOAK_LOG names a file (for looking into a failure).
func runtimeLog(t *testing.T) io.Writer {
	p := os.Getenv("SOAK_LOG")
	if p == "" {
		return io.Discard
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

type summary struct {
	config      string
	invocations int
	faults      map[string]int
	lost        int
	unexpected  []string
	restarts    int
	rssStart    int64
	rssEnd      int64
	fdsStart    int
	fdsEnd      int
	thrStart    int
	thrEnd      int
	goroutines  [2]int
	exactlyOnce error
}

func TestSoak(t *testing.T) {
	testutil.Slow(t, "thousands of invocations with faults")
	var all []*summary
	for _, tg := range targets {
		for _, conc := range []int{1, 4} {
			name := fmt.Sprintf("%s/concurrency=%d", tg.name, conc)
			t.Run(name, func(t *testing.T) {
				s := soak(t, tg, conc, *perConfig)
				s.config = name
				all = append(all, s)
				if s.lost != 0 {
					t.Errorf("%d invocations lost", s.lost)
				}
				for _, u := range s.unexpected {
					t.Error(u)
				}
				if s.exactlyOnce != nil {
					t.Error(s.exactlyOnce)
				}
				// Bounded, not flat: each loop keeps up to one connection to
				// the Runtime API and (http mode) one to the app, and a
				// restarted app brings its own pipes. A leak of one per
				// hundred invocations would show as +25 in make soak.
				if s.fdsEnd > s.fdsStart+2*conc+4 {
					t.Errorf("runtime file descriptors grew from %d to %d", s.fdsStart, s.fdsEnd)
				}
				// Bounded: a 6 MB response is buffered once per concurrent
				// invocation, and the heap keeps some of it.
				if s.rssEnd > s.rssStart+int64(conc)*8*1024 {
					t.Errorf("runtime RSS grew from %d KiB to %d KiB", s.rssStart, s.rssEnd)
				}
				if s.goroutines[1] > s.goroutines[0]+10 {
					t.Errorf("test-side goroutines grew from %d to %d", s.goroutines[0], s.goroutines[1])
				}
			})
		}
	}
	table := summaryTable(all)
	t.Log("\n" + table)
	fmt.Println(table)
	if *report != "" {
		os.WriteFile(*report, []byte(table), 0o644)
	}
}

func soak(t *testing.T, tg target, conc, n int) *summary {
	var epoch atomic.Int64    // bumped whenever a fault ends the runtime
	var stopping atomic.Int64 // SIGTERMs in progress
	var appDying atomic.Int64 // app-killing faults in flight (http mode)
	// dyingUntil is the exit count at which a runtime hit by a fault will
	// have gone: until then, invocations it picks up may be failed.
	var dyingUntil atomic.Int64
	var sbRef atomic.Pointer[sandbox.Sandbox]
	markDying := func() {
		if sb := sbRef.Load(); sb != nil {
			dyingUntil.Store(int64(sb.Exits()) + 1)
		}
	}
	// The runtime talks to a fault-injecting proxy in front of the
	// emulator, as a Runtime API proxy extension would sit.
	proxyLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	led := emulatortest.NewLedger()
	sb, err := sandbox.Start(sandbox.Options{
		Command:    tg.cmd(t),
		Env:        append([]string{fmt.Sprintf("AWS_LAMBDA_MAX_CONCURRENCY=%d", conc)}, tg.env(t)...),
		RuntimeAPI: proxyLn.Addr().String(),
		Observe:    led.Observe,
		// A hang costs this much; the heaviest faults (7 MB of output, a
		// 2 MB stderr flood) need well under it even on a loaded machine.
		Timeout: 5 * time.Second,
		Stdout:  runtimeLog(t),
		Stderr:  runtimeLog(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	sbRef.Store(sb)
	defer sb.Close()
	proxy := &http.Server{Handler: apiFaults(runtimeAPIProxy(sb.Addr()), &epoch, markDying)}
	go proxy.Serve(proxyLn)
	defer proxy.Close()

	rng := rand.New(rand.NewPCG(*seed, uint64(conc)))
	type planned struct {
		i int
		f *fault
	}
	plan := make([]planned, n)
	s := &summary{invocations: n, faults: map[string]int{}}
	for i := range plan {
		plan[i].i = i
		if rng.Float64() < *faultRate {
			plan[i].f = &tg.faults[rng.IntN(len(tg.faults))]
			s.faults[plan[i].f.name]++
		}
	}

	// Warm up, then take the starting measurements.
	for i := 0; i < 5; i++ {
		if r, err := sb.Invoke(context.Background(), []byte(`{}`), emulator.InvokeOptions{}); err != nil || r.Failed() {
			t.Fatalf("warm-up: %v %+v", err, r)
		}
	}
	s.goroutines[0] = runtime.NumGoroutine()
	samples := map[int][]procSample{}
	var sampleMu sync.Mutex
	seen := map[int]bool{}
	takeSample := func() {
		pid := sb.PID()
		ps, err := sampleProc(pid)
		sampleMu.Lock()
		defer sampleMu.Unlock()
		if err != nil {
			return
		}
		if !seen[pid] && len(samples) > 0 {
			// A restarted process may still be loading: its baseline is
			// its second sample.
			seen[pid] = true
			return
		}
		seen[pid] = true
		samples[pid] = append(samples[pid], ps)
	}
	takeSample()

	var (
		mu               sync.Mutex
		next             int
		done             atomic.Int64
		platformTimeouts = map[string]bool{}
	)
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Go(func() {
			for {
				mu.Lock()
				if next == len(plan) {
					mu.Unlock()
					return
				}
				p := plan[next]
				next++
				mu.Unlock()
				name := "none"
				if p.f != nil {
					name = p.f.name
				}
				payload, _ := json.Marshal(map[string]any{"fault": name, "n": p.i})
				if p.f != nil && (p.f.killsApp || p.f.killsRuntime && name != "sigterm") {
					epoch.Add(1)
					appDying.Add(1)
				}
				before := disruption{epoch.Load(), sb.Exits(), stopping.Load() + appDying.Load()}
				if name == "sigterm" {
					go func() {
						time.Sleep(150 * time.Millisecond)
						// Whatever overlaps the stop may be stopped too.
						epoch.Add(1)
						stopping.Add(1)
						markDying()
						sb.Stop(2 * time.Second)
						stopping.Add(-1)
						epoch.Add(1)
					}()
				}
				res, err := sb.Invoke(context.Background(), payload, emulator.InvokeOptions{})
				after := disruption{epoch.Load(), sb.Exits(), stopping.Load() + appDying.Load()}
				if p.f != nil && (p.f.killsApp || p.f.killsRuntime && name != "sigterm") {
					appDying.Add(-1)
					epoch.Add(1)
				}
				if p.f != nil && p.f.platformTimeout && res != nil && res.Outcome == emulator.OutcomeTimeout {
					mu.Lock()
					platformTimeouts[res.RequestID] = true
					mu.Unlock()
				}
				if err != nil {
					mu.Lock()
					s.lost++
					mu.Unlock()
					continue
				}
				disrupted := before.epoch != after.epoch || before.exits != after.exits ||
					before.stopping+after.stopping > 0 || int64(after.exits) < dyingUntil.Load()
				if msg := check(tg, p.f, payload, res, disrupted); msg != "" {
					mu.Lock()
					s.unexpected = append(s.unexpected, fmt.Sprintf("invocation %d (%s): %s", p.i, name, msg))
					mu.Unlock()
				}
				if done.Add(1)%10 == 0 {
					takeSample()
				}
			}
		})
	}
	wg.Wait()
	takeSample()
	s.goroutines[1] = runtime.NumGoroutine()
	s.restarts = sb.Starts() - 1
	s.exactlyOnce = led.CheckExactlyOnce(platformTimeouts)

	// Growth is judged per runtime process, over its own lifetime: the one
	// that lived longest (most samples).
	var longest []procSample
	for _, ss := range samples {
		if len(ss) > len(longest) {
			longest = ss
		}
	}
	if len(longest) < 3 {
		t.Errorf("no runtime process lived long enough to be sampled 3 times (%d restarts)", sb.Starts()-1)
	}
	if len(longest) > 0 {
		first, last := longest[0], longest[len(longest)-1]
		s.rssStart, s.rssEnd = first.rssKB, last.rssKB
		s.fdsStart, s.fdsEnd = first.fds, last.fds
		s.thrStart, s.thrEnd = first.threads, last.threads
	}
	return s
}

// disruption is what tells an invocation that something else (a fault in
// another invocation) may have ended it: faults injected, runtime exits,
// SIGTERMs in progress.
type disruption struct {
	epoch    int64
	exits    int
	stopping int64
}

// check compares an outcome with what the fault calls for.
func check(tg target, f *fault, payload []byte, res *emulator.Result, disrupted bool) string {
	want, alsoOK := "", []string(nil)
	if f != nil {
		want, alsoOK = f.want, f.alsoOK
	}
	got := res.ErrorType
	if !res.Failed() {
		got = ""
	}
	collateral := got == api.ErrTypeExit || got == "Runtime.AppRequestFailed"
	if got == want || slices.Contains(alsoOK, got) || (disrupted && collateral) {
		if got == "" && f != nil && f.name == "garbage" {
			if !bytes.Equal(res.Body, tg.garbage) {
				return fmt.Sprintf("garbage output %q, want %q", res.Body, tg.garbage)
			}
		} else if got == "" && !bytes.Equal(res.Body, payload) {
			return fmt.Sprintf("response %q, want the event echoed", res.Body)
		}
		return ""
	}
	return fmt.Sprintf("outcome %s type %q, want %q: %.300s", res.Outcome, got, want, res.Body)
}

// runtimeAPIProxy forwards the Runtime API to the emulator at addr,
// streamed bodies and trailers included.
func runtimeAPIProxy(addr string) http.Handler {
	target := &url.URL{Scheme: "http", Host: addr}
	return &httputil.ReverseProxy{
		Rewrite:       func(r *httputil.ProxyRequest) { r.SetURL(target) },
		FlushInterval: -1,
	}
}

// apiFaults sits between the runtime and the Runtime API: a response post
// that carries "api-drop" loses its connection without an answer; one that
// carries "api-500" gets HTTP 500, after which the runtime must exit.
func apiFaults(next http.Handler, epoch *atomic.Int64, markDying func()) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/response") {
			next.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		switch {
		case bytes.Contains(body, []byte(`"fault":"api-drop"`)):
			epoch.Add(1)
			markDying()
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		case bytes.Contains(body, []byte(`"fault":"api-500"`)):
			epoch.Add(1)
			markDying()
			w.WriteHeader(http.StatusInternalServerError)
			w.Write(api.NewError("ServiceException", "injected fault").JSON())
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

type procSample struct {
	rssKB   int64
	fds     int
	threads int
}

func sampleProc(pid int) (procSample, error) {
	if pid == 0 || runtime.GOOS != "linux" {
		return procSample{}, fmt.Errorf("no process")
	}
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return procSample{}, err
	}
	var ps procSample
	for _, line := range strings.Split(string(st), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "VmRSS:":
			fmt.Sscan(f[1], &ps.rssKB)
		case "Threads:":
			fmt.Sscan(f[1], &ps.threads)
		}
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return procSample{}, err
	}
	ps.fds = len(fds)
	return ps, nil
}

func summaryTable(all []*summary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| configuration | invocations | faults injected (by kind) | lost | unexpected outcomes | runtime restarts | RSS start→end (KiB) | fds start→end | threads start→end |\n")
	fmt.Fprintf(&b, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	total, lost, faults := 0, 0, 0
	for _, s := range all {
		var kinds []string
		n := 0
		for k, v := range s.faults {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, v))
			n += v
		}
		sort.Strings(kinds)
		fmt.Fprintf(&b, "| %s | %d | %d (%s) | %d | %d | %d | %d→%d | %d→%d | %d→%d |\n",
			s.config, s.invocations, n, strings.Join(kinds, ", "), s.lost, len(s.unexpected), s.restarts,
			s.rssStart, s.rssEnd, s.fdsStart, s.fdsEnd, s.thrStart, s.thrEnd)
		total += s.invocations
		lost += s.lost
		faults += n
	}
	fmt.Fprintf(&b, "| **total** | **%d** | **%d** | **%d** | | | | | |\n", total, faults, lost)
	return b.String()
}
