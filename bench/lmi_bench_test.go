package bench

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/sandbox"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/h1"
	"github.com/faas-runtime/faas-runtime/runtime/httpevent"
)

var (
	lmiConcurrency = flag.Int("lmi.concurrency", 16, "BenchmarkLMI: AWS_LAMBDA_MAX_CONCURRENCY of every contender")
	lmiClients     = flag.Int("lmi.clients", 8, "BenchmarkLMI: invokers sending at once")
	lmiBatch       = flag.Int("lmi.batch", 200, "BenchmarkLMI: invocations per contender per iteration")
)

// apiGatewayEvent is an HTTP API (payload 2.0) GET /echo: http mode turns
// it into a request to the app; the echo handlers answer it as it is.
var apiGatewayEvent = []byte(`{"version":"2.0","routeKey":"$default","rawPath":"/echo","rawQueryString":"x=1",` +
	`"headers":{"host":"abc123.lambda-url.us-east-1.on.aws","x-test":"t"},"requestContext":{"accountId":"000000000000",` +
	`"apiId":"abc123","domainName":"abc123.lambda-url.us-east-1.on.aws","requestId":"bench",` +
	`"http":{"method":"GET","path":"/echo","protocol":"HTTP/1.1","sourceIp":"192.0.2.1","userAgent":"bench"}},"isBase64Encoded":false}`)

// lmiOrder is the LMI table's row order.
var lmiOrder []string

// BenchmarkLMI is Managed Instances throughput: each contender runs with
// AWS_LAMBDA_MAX_CONCURRENCY (-lmi.concurrency) concurrent /next loops
// against the emulator in Managed Instances mode, and -lmi.clients
// invokers keep it busy. Per iteration every contender serves
// -lmi.batch invocations, in an order that rotates, so the shared
// machine's load hits them alike; the table gives invocations/s and
// p50/p99 latency, as ratios to aws-lambda-go's concurrent loop (its
// lambda.Start runs one loop per AWS_LAMBDA_MAX_CONCURRENCY). Every
// contender gets the same API Gateway event; http mode sends it to
// examples/http-go's /echo, and "the hop alone" sends the same request
// straight to that app, without Lambda in between.
func BenchmarkLMI(b *testing.B) {
	bb := build(b)
	type contender struct {
		name    string
		cmd     []string // nil: not a runtime under the emulator
		env     []string
		echoes  bool // the answer is the event itself
		do      func() error
		pid     func() int // the runtime process, 0 for none
		lat     []time.Duration
		elapsed time.Duration
		// CPU time of the runtime process, and of its descendants that
		// outlive an invocation (http mode's app), over the timed bursts
		cpuOwn, cpuKids time.Duration
	}
	appPort := testutil.FreePort(b)
	cs := []*contender{
		{name: "aws-lambda-go", cmd: []string{bb.awsEcho}, env: []string{"_HANDLER=echo"}, echoes: true},
		{name: "faas-runtime-sharedlib", cmd: []string{bb.sharedlib, bb.echoSO}, echoes: true},
		{name: "faas-runtime-http", cmd: []string{bb.faas, bb.httpApp}, env: []string{"AWS_LWA_PORT=" + appPort}},
		// the hop alone: the same requests straight to http mode's app
		{name: "http-app-direct", do: directToApp(b, appPort)},
		{name: "faas-runtime-exec", cmd: []string{bb.faas, bb.cat}, echoes: true},
	}
	for _, c := range cs {
		if c.cmd != nil {
			sb, err := sandbox.Start(sandbox.Options{Command: c.cmd, Env: c.env, MaxConcurrency: *lmiConcurrency,
				Timeout: 10 * time.Second, Stderr: io.Discard, Stdout: io.Discard})
			if err != nil {
				b.Fatal(err)
			}
			defer sb.Close()
			c.do, c.pid = invokeLMI(sb, c.echoes), sb.PID
		}
		if _, _, err := lmiBurst(*lmiClients, 2**lmiConcurrency, c.do); err != nil { // warm up every loop
			b.Fatalf("%s warm-up: %v", c.name, err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range cs {
			c := cs[(i+k)%len(cs)]
			own0, kids0 := lmiCPU(c.pid)
			d, lat, err := lmiBurst(*lmiClients, *lmiBatch, c.do)
			if err != nil {
				b.Fatalf("%s: %v", c.name, err)
			}
			own1, kids1 := lmiCPU(c.pid)
			c.cpuOwn += own1 - own0
			c.cpuKids += kids1 - kids0
			c.elapsed += d
			c.lat = append(c.lat, lat...)
		}
	}
	b.StopTimer()
	lmiOrder = lmiOrder[:0]
	for _, c := range cs {
		ips := float64(len(c.lat)) / c.elapsed.Seconds()
		p50, p99 := testutil.Percentile(c.lat, 50), testutil.Percentile(c.lat, 99)
		b.ReportMetric(ips, c.name+"-inv/s")
		record("lmi/"+c.name+"/ips", ips)
		record("lmi/"+c.name+"/p50", float64(p50.Microseconds()))
		record("lmi/"+c.name+"/p99", float64(p99.Microseconds()))
		record("lmi/"+c.name+"/cpu", float64(c.cpuOwn.Microseconds())/float64(len(c.lat)))
		record("lmi/"+c.name+"/cpukids", float64(c.cpuKids.Microseconds())/float64(len(c.lat)))
		lmiOrder = append(lmiOrder, c.name)
	}
	record("lmi/concurrency", float64(*lmiConcurrency))
	record("lmi/clients", float64(*lmiClients))
}

// lmiCPU is the CPU time so far of the runtime process and of its
// descendants (exec mode's children are gone by then: not counted).
func lmiCPU(pid func() int) (own, kids time.Duration) {
	if pid == nil || pid() == 0 {
		return 0, 0
	}
	own, _ = procCPU(pid())
	all, _ := treeCPU(pid())
	return own, all - own
}

// invokeLMI is one invocation through the emulator: an echoing contender
// must answer the event itself, http mode a 200.
func invokeLMI(sb *sandbox.Sandbox, echoes bool) func() error {
	return func() error {
		r, err := sb.Invoke(context.Background(), apiGatewayEvent, emulator.InvokeOptions{})
		if err != nil {
			return err
		}
		if r.Failed() || (echoes && !bytes.Equal(r.Body, apiGatewayEvent)) || (!echoes && !bytes.Contains(r.Body, []byte(`"statusCode":200`))) {
			return fmt.Errorf("unexpected answer %+v", r)
		}
		return nil
	}
}

// directToApp sends the request http mode makes of the event
// (httpevent.Translate) straight to its app on port, with http mode's
// client settings (as many idle connections as loops, 2 s dial timeout):
// the part of http mode's cost that is the design's, not its code's.
func directToApp(b *testing.B, port string) func() error {
	tr, err := httpevent.Translate(&api.Invocation{RequestID: "bench", DeadlineMs: time.Now().Add(time.Hour).UnixMilli(), Payload: apiGatewayEvent},
		&httpevent.Options{Env: httpevent.EnvConfig{FunctionName: "function", Memory: 128}})
	if err != nil {
		b.Fatal(err)
	}
	c := &h1.Client{Addr: "127.0.0.1:" + port, MaxIdle: *lmiConcurrency, DialTimeout: 2 * time.Second}
	return func() error {
		resp, err := c.Do(context.Background(), &h1.Request{Method: tr.Method, Path: tr.Target(), Host: tr.Host, Header: tr.Header,
			Body: bytes.NewReader(tr.Body), ContentLength: int64(len(tr.Body))})
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != 200 {
			return fmt.Errorf("the app answered %d", resp.StatusCode)
		}
		return nil
	}
}

// lmiBurst runs do n times from clients goroutines at once and returns
// the wall time of the whole burst and each call's latency.
func lmiBurst(clients, n int, do func() error) (time.Duration, []time.Duration, error) {
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		lat      = make([]time.Duration, 0, n)
		firstErr error
	)
	t0 := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, n/clients+1)
			defer func() { mu.Lock(); lat = append(lat, mine...); mu.Unlock() }()
			for next.Add(1) <= int64(n) {
				t := time.Now()
				err := do()
				mine = append(mine, time.Since(t))
				if err != nil {
					mu.Lock()
					firstErr = cmpOr(firstErr, err)
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(t0), lat, firstErr
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
