package httpmode_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/sandbox"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/modes/httpmode"
)

// Adapter compatibility: each behaviour of AWS Lambda Web Adapter v1.0.0
// (and of the lambda_http and tower-http code it runs) that faas-runtime
// http mode reproduces, and the deliberate differences, through the real
// binary under the emulator. docs/http.md lists them.

func adapterApp(t *testing.T) []string {
	return []string{testutil.Binary(t, "./runtime/modes/httpmode/testdata/adapterapp")}
}

// v2Event is an HTTP API event for method, path and raw query.
func v2Event(method, path, query string, headers map[string]string) []byte {
	if headers == nil {
		headers = map[string]string{}
	}
	return mustJSON(events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "$default", RawPath: path, RawQueryString: query, Headers: headers,
		RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "ctx", DomainName: "id.execute-api.us-east-1.amazonaws.com",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path}},
	})
}

// respond is the query of /respond.
func respond(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

func echoOf(t *testing.T, lr *lambdaResponse) *echoed {
	t.Helper()
	var e echoed
	if err := json.Unmarshal(lr.body(t), &e); err != nil {
		t.Fatalf("echo %s: %v", lr.body(t), err)
	}
	return &e
}

// TestSlowApp (item 1): an app that needs 12 s to listen, without async
// init, serves its first request, as behind the adapter; a healthy range
// that is never met ends the invocation at its deadline with a clear
// error. Both wait out the 9.8 s init hand-over, so they run in parallel.
func TestSlowApp(t *testing.T) {
	app := adapterApp(t)
	t.Run("12 s start", func(t *testing.T) {
		t.Parallel()
		b := startBox(t, app, 5*time.Second, "ADAPTERAPP_START_DELAY_MS=12000")
		start := time.Now()
		_, lr := b.ok(t, v2Event("GET", "/echo", "", nil))
		if lr.StatusCode != 200 || time.Since(start) < 11*time.Second {
			t.Fatalf("status %d after %v", lr.StatusCode, time.Since(start))
		}
		if !strings.Contains(b.logs.String(), "the first invocation keeps waiting") || !strings.Contains(b.logs.String(), "web app not ready yet") {
			t.Errorf("no hand-over or progress note in the logs")
		}
	})
	t.Run("healthy range never met", func(t *testing.T) {
		t.Parallel()
		b := startBox(t, app, 2*time.Second, "AWS_LWA_READINESS_CHECK_HEALTHY_STATUS=201-299")
		res := b.fails(t, v2Event("GET", "/echo", "", nil), httpmode.ErrTypeAppNotReady, "not ready by the invocation's deadline")
		for _, want := range []string{"healthy: 201-299", "last got status 200", "/ "} {
			if !bytes.Contains(res.Body, []byte(want)) {
				t.Errorf("error %s: want %q in it", res.Body, want)
			}
		}
		if res.Outcome != emulator.OutcomeError {
			t.Errorf("outcome %s: the runtime must answer before the deadline", res.Outcome)
		}
	})
}

// TestErrorStatusPayload (item 2): a status in AWS_LWA_ERROR_STATUS_CODES
// fails the invocation with the adapter's errorType and message, the app's
// body kept.
func TestErrorStatusPayload(t *testing.T) {
	b := startBox(t, adapterApp(t), 3*time.Second, "AWS_LWA_ERROR_STATUS_CODES=500,502-504")
	res := b.invoke(t, v2Event("GET", "/respond", respond("status", "502", "ct", "text/html", "body", `<b>upstream</b> "down"`), nil))
	var ae api.Error
	if err := json.Unmarshal(res.Body, &ae); err != nil || res.ErrorType != httpmode.ErrTypeErrorStatus {
		t.Fatalf("%s %s", res.ErrorType, res.Body)
	}
	if want := `{"statusCode":502,"body":"<b>upstream</b> \"down\""}`; ae.Message != want {
		t.Errorf("errorMessage %s, want %s", ae.Message, want)
	}
	var parsed struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal([]byte(ae.Message), &parsed); err != nil || parsed.StatusCode != 502 {
		t.Errorf("errorMessage does not parse as the adapter's JSON: %v", err)
	}
	if _, lr := b.ok(t, v2Event("GET", "/respond", respond("status", "501"), nil)); lr.StatusCode != 501 {
		t.Errorf("501 is not listed: status %d", lr.StatusCode)
	}
}

// TestLambdaHeaders (items 3 and 6): the tenant id becomes x-amz-tenant-id
// and Lambda's trace id replaces the event's x-amzn-trace-id, for HTTP
// events and pass-through alike.
func TestLambdaHeaders(t *testing.T) {
	b := startBox(t, adapterApp(t), 3*time.Second)
	const trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	opts := emulator.InvokeOptions{TenantID: "tenant-7", TraceID: trace}
	forgedHeaders := map[string]string{"x-amzn-trace-id": "Root=from-the-client", "x-amz-tenant-id": "forged"}
	for name, ev := range map[string][]byte{
		"apigw-v2":     v2Event("GET", "/echo", "", forgedHeaders),
		"pass-through": sqsEvent,
	} {
		res, err := b.Invoke(context.Background(), ev, opts)
		if err != nil || res.Failed() {
			t.Fatalf("%s: %v %+v", name, err, res)
		}
		var e echoed
		if name == "pass-through" {
			json.Unmarshal(res.Body, &e)
		} else {
			var lr lambdaResponse
			json.Unmarshal(res.Body, &lr)
			e = *echoOf(t, &lr)
		}
		if got := e.header("X-Amz-Tenant-Id"); len(got) != 1 || got[0] != "tenant-7" {
			t.Errorf("%s: x-amz-tenant-id %q", name, got)
		}
		if got := e.header("X-Amzn-Trace-Id"); len(got) != 1 || got[0] != trace {
			t.Errorf("%s: x-amzn-trace-id %q, want Lambda's", name, got)
		}
	}
}

// TestConfigLeniency (item 4): values the adapter tolerates start the
// function as the adapter would, each with one warning naming it.
func TestConfigLeniency(t *testing.T) {
	b := startBox(t, adapterApp(t), 3*time.Second,
		"AWS_LWA_INVOKE_MODE=streaming", "AWS_LWA_ERROR_STATUS_CODES=500-invalid",
		"AWS_LWA_ENABLE_COMPRESSION=TRUE", "AWS_LWA_READINESS_CHECK_MIN_UNHEALTHY_STATUS=400")
	long := strings.Repeat("compressible ", 100)
	res, lr := b.ok(t, v2Event("GET", "/respond", respond("status", "500", "ct", "text/plain", "body", long), map[string]string{"accept-encoding": "gzip"}))
	if res.Streamed || lr.StatusCode != 500 || lr.IsBase64Encoded || lr.Body != long {
		t.Errorf("streamed %v, status %d, base64 %v: want a buffered, uncompressed 500 response", res.Streamed, lr.StatusCode, lr.IsBase64Encoded)
	}
	logs := b.logs.String()
	for _, name := range []string{"AWS_LWA_INVOKE_MODE", "AWS_LWA_ERROR_STATUS_CODES", "AWS_LWA_ENABLE_COMPRESSION", "AWS_LWA_READINESS_CHECK_MIN_UNHEALTHY_STATUS"} {
		if n := strings.Count(logs, "level=WARN msg=\""+name); n != 1 {
			t.Errorf("%d warnings starting with %s, want 1:\n%s", n, name, logs)
		}
	}
}

// TestLegacyHostAndPort (item 4): HOST is honoured (with the adapter's
// deprecation warning), and PORT alone is the traffic port in both
// layouts: faas-runtime as the entrypoint (with FAAS_MODE=http: PORT alone
// does not select http mode, see modes.Infer) and as the extension.
func TestLegacyHostAndPort(t *testing.T) {
	app := adapterApp(t)
	rt := testutil.Binary(t, "./cmd/faas-runtime")
	t.Run("HOST", func(t *testing.T) {
		// The app listens on 127.0.0.2 only: HOST must be read to reach it.
		b := startBox(t, app, 3*time.Second, "HOST=127.0.0.2", "ADAPTERAPP_HOST=127.0.0.2")
		b.ok(t, v2Event("GET", "/echo", "", nil))
		if !strings.Contains(b.logs.String(), "HOST is deprecated") {
			t.Error("no deprecation warning for HOST")
		}
	})
	t.Run("PORT entrypoint", func(t *testing.T) {
		b := bareBox(t, sandbox.Options{Command: append([]string{rt}, app...)}, 3*time.Second, "FAAS_MODE=http", "PORT="+testutil.FreePort(t))
		b.ok(t, v2Event("GET", "/echo", "", nil))
	})
	t.Run("PORT extension", func(t *testing.T) {
		b := bareBox(t, sandbox.Options{Command: app, Extensions: []sandbox.Extension{{Path: rt}}}, 3*time.Second, "PORT="+testutil.FreePort(t))
		b.ok(t, v2Event("GET", "/echo", "", nil))
	})
}

// TestBinaryOrText (item 5): lambda_http's rules for a base64 body, and our
// two lossless exceptions.
func TestBinaryOrText(t *testing.T) {
	b := startBox(t, adapterApp(t), 3*time.Second)
	latin1 := base64.StdEncoding.EncodeToString([]byte("caf\xe9"))
	for _, c := range []struct {
		name   string
		query  string
		base64 bool
	}{
		{"form", respond("ct", "application/x-www-form-urlencoded", "body", "a=1"), true},
		{"graphql", respond("ct", "application/graphql", "body", "{ a }"), true},
		{"ndjson", respond("ct", "application/x-ndjson", "body", "{}\n{}\n"), true},
		{"x-yaml", respond("ct", "application/x-yaml", "body", "a: 1"), true},
		{"identity encoding", respond("ct", "text/plain", "ce", "identity", "body", "plain"), true},
		{"json-seq", respond("ct", "application/json-seq", "body", "\x1e{}\n"), false},
		{"+json suffix with parameters", respond("ct", "application/problem+json; charset=utf-8", "body", "{}"), false},
		{"text hint", respond("ct", "application/octet-stream", "hint", "text", "body", "readable"), false},
		{"no content type", respond("body", "plain"), false},
		{"Latin-1 (deliberate)", respond("ct", "text/plain; charset=iso-8859-1", "b64", latin1), true},
		{"invalid UTF-8 without a type (deliberate)", respond("b64", base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe})), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, lr := b.ok(t, v2Event("GET", "/respond", c.query, nil))
			if lr.IsBase64Encoded != c.base64 {
				t.Errorf("isBase64Encoded %v, want %v (body %q)", lr.IsBase64Encoded, c.base64, lr.Body)
			}
		})
	}
}

// TestRuntimeAPIProxy (item 7): AWS_LWA_LAMBDA_RUNTIME_API_PROXY carries
// the runtime's Runtime API traffic; the app keeps the real endpoint.
func TestRuntimeAPIProxy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var target atomic.Value
	var conns atomic.Int32
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			up, err := net.Dial("tcp", target.Load().(string))
			if err != nil {
				c.Close()
				continue
			}
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	})
	b := startBox(t, adapterApp(t), 3*time.Second, "AWS_LWA_LAMBDA_RUNTIME_API_PROXY="+ln.Addr().String())
	target.Store(b.Addr())
	_, lr := b.ok(t, v2Event("GET", "/env", "name=AWS_LAMBDA_RUNTIME_API", nil))
	if lr.Body != b.Addr() {
		t.Errorf("the app sees AWS_LAMBDA_RUNTIME_API=%q, want the real endpoint %s", lr.Body, b.Addr())
	}
	if conns.Load() == 0 {
		t.Error("no connection went through the proxy")
	}
}

// TestCompressionPredicate (item 8): the adapter's predicate compresses
// everything but images, gRPC and SSE; a client that accepts only br gets
// the body uncompressed (no brotli encoder without net/http).
func TestCompressionPredicate(t *testing.T) {
	b := startBox(t, adapterApp(t), 3*time.Second, "AWS_LWA_ENABLE_COMPRESSION=true")
	long := strings.Repeat("compressible ", 100)
	for _, c := range []struct {
		ct, ae string
		gzip   bool
	}{
		{"video/mp4", "gzip", true},
		{"application/zip", "gzip, br", true},
		{"image/svg+xml", "gzip", true},
		{"image/png", "gzip", false},
		{"application/grpc", "gzip", false},
		{"text/event-stream", "gzip", false},
		{"text/plain", "br", false},
	} {
		_, lr := b.ok(t, v2Event("GET", "/respond", respond("ct", c.ct, "body", long), map[string]string{"accept-encoding": c.ae}))
		if got := lr.Headers["content-encoding"] == "gzip"; got != c.gzip {
			t.Errorf("%s (accept %s): gzip %v, want %v", c.ct, c.ae, got, c.gzip)
			continue
		}
		if !c.gzip {
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(lr.body(t)))
		if err != nil {
			t.Fatal(err)
		}
		if plain, _ := io.ReadAll(zr); string(plain) != long {
			t.Errorf("%s: gunzipped body differs", c.ct)
		}
	}
}

// TestSmallShapes (item 9): ALB's canonical reasons, Runtime.ExitError for
// an app that exits during init.
func TestSmallShapes(t *testing.T) {
	app := adapterApp(t)
	t.Run("ALB statusDescription", func(t *testing.T) {
		b := startBox(t, app, 3*time.Second)
		for code, want := range map[string]string{"418": "418 I'm a teapot", "207": "207 Multi-Status", "599": "599 "} {
			ev := mustJSON(events.ALBTargetGroupRequest{HTTPMethod: "GET", Path: "/respond", QueryStringParameters: map[string]string{"status": code},
				RequestContext: events.ALBTargetGroupRequestContext{ELB: events.ELBContext{TargetGroupArn: "arn:tg"}}})
			if _, lr := b.ok(t, ev); lr.StatusDescription != want {
				t.Errorf("statusDescription %q, want %q", lr.StatusDescription, want)
			}
		}
	})
	t.Run("app exits during init", func(t *testing.T) {
		b := startBox(t, app, 3*time.Second, "ADAPTERAPP_EXIT_AT_START=4")
		res := b.invoke(t, v2Event("GET", "/echo", "", nil))
		b.allowNone[res.RequestID] = true
		if res.Outcome != emulator.OutcomeInitError || res.ErrorType != api.ErrTypeExit ||
			!strings.Contains(string(res.Body), "exit status 4") || !strings.Contains(string(res.Body), "missing configuration") {
			t.Fatalf("%s %s %s", res.Outcome, res.ErrorType, res.Body)
		}
	})
}

// TestDeliberateDifferences (item 10): where faas-runtime keeps its own
// behaviour (docs/http.md says why).
func TestDeliberateDifferences(t *testing.T) {
	b := startBox(t, adapterApp(t), 3*time.Second, "AWS_LWA_REMOVE_BASE_PATH=/prod")
	// Base path removal, seen by the app: /prod/echo is /echo, /production/echo stays.
	if e := echoOf(t, second(b.ok(t, v2Event("POST", "/prod/echo", "", nil)))); e.Path != "/echo" {
		t.Errorf("/prod/echo reached the app as %q", e.Path)
	}
	if _, lr := b.ok(t, v2Event("POST", "/production/echo", "", nil)); lr.StatusCode != 404 {
		t.Errorf("/production/echo: status %d, want the app's 404 (it must not become /uction/echo)", lr.StatusCode)
	}
	// Multi-value request headers keep every value: a REST API event has
	// both maps, and lambda_http lets the single value replace the list.
	ev := mustJSON(events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/echo",
		Headers:           map[string]string{"X-Multi": "b"},
		MultiValueHeaders: map[string][]string{"X-Multi": {"a", "b"}},
		RequestContext:    events.APIGatewayProxyRequestContext{RequestID: "r", Stage: "prod", HTTPMethod: "GET"}})
	if got := echoOf(t, second(b.ok(t, ev))).header("X-Multi"); strings.Join(got, ",") != "a,b" {
		t.Errorf("x-multi %q, want both values", got)
	}
	// A pass-through answer that is not JSON comes back as a JSON string.
	pb := startBox(t, adapterApp(t), 3*time.Second, "AWS_LWA_PASS_THROUGH_PATH=/plain")
	if res := pb.invoke(t, sqsEvent); res.Failed() || string(res.Body) != `"not json"` {
		t.Errorf("pass-through text answer: %s %s", res.Outcome, res.Body)
	}
}

func second[A, B any](_ A, b B) B { return b }

// TestStreamedPassThrough (item 9): with response_stream a pass-through
// event gets the prelude too, as the adapter sends it.
func TestStreamedPassThrough(t *testing.T) {
	b := startBox(t, adapterApp(t), 3*time.Second, "AWS_LWA_INVOKE_MODE=response_stream")
	rec := &chunkRecorder{}
	res, err := b.Invoke(context.Background(), sqsEvent, emulator.InvokeOptions{Stream: rec})
	if err != nil || res.Failed() || res.ContentType != api.ContentTypeHTTPIntegration {
		t.Fatalf("%v %+v", err, res)
	}
	prelude, body, ok := bytes.Cut(rec.data.Bytes(), make([]byte, 8))
	var p struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
	}
	if !ok || json.Unmarshal(prelude, &p) != nil || p.StatusCode != 200 || p.Headers["content-type"] != "application/json" {
		t.Fatalf("prelude %q", prelude)
	}
	if !bytes.Contains(body, []byte("queued work")) {
		t.Errorf("body %q", body)
	}
}

// TestLatticeAndWebSocket (item 11): VPC Lattice events, both versions,
// are HTTP requests answered in Lattice's shape; API Gateway WebSocket
// events are passed through, as the adapter does.
func TestLatticeAndWebSocket(t *testing.T) {
	b := startBox(t, adapterApp(t), 3*time.Second)
	v1 := []byte(`{"raw_path":"/echo/a%20b","method":"POST","headers":{"host":"svc.vpc-lattice-svcs.us-east-1.on.aws","x-test":"t"},` +
		`"query_string_parameters":{"order-id":"1 2"},"body":"aGVsbG8=","is_base64_encoded":true}`)
	v2 := []byte(`{"version":"2.0","path":"/echo","method":"PUT","headers":{"x-test":["t1","t2"],"host":["svc.vpc-lattice-svcs.us-east-1.on.aws"]},` +
		`"queryStringParameters":{"a":["1","2"]},"body":"hello","isBase64Encoded":false,` +
		`"requestContext":{"serviceNetworkArn":"arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-1","serviceArn":"arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-1",` +
		`"targetGroupArn":"arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-1","identity":{"sourceVpcArn":"arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1"},"region":"us-east-1","timeEpoch":"1690497599177430"}}`)
	for name, c := range map[string]struct {
		ev                         []byte
		method, path, query, xtest string
		rc                         bool
	}{
		"v1": {v1, "POST", "/echo/a%20b", "order-id=1+2", "t", false},
		"v2": {v2, "PUT", "/echo", "a=1&a=2", "t1,t2", true},
	} {
		res, lr := b.ok(t, c.ev)
		if lr.StatusCode != 200 || lr.StatusDescription != "200 OK" || lr.Headers["content-type"] != "application/json" {
			t.Errorf("%s: response %s", name, res.Body)
		}
		var shape map[string]json.RawMessage
		json.Unmarshal(res.Body, &shape)
		if _, ok := shape["multiValueHeaders"]; ok || len(shape) != 5 {
			t.Errorf("%s: not Lattice's response shape: %s", name, res.Body)
		}
		e := echoOf(t, lr)
		if e.Method != c.method || e.Path != c.path || e.Query != c.query || e.Body != "hello" ||
			e.Host != "svc.vpc-lattice-svcs.us-east-1.on.aws" || strings.Join(e.header("X-Test"), ",") != c.xtest {
			t.Errorf("%s: the app saw %+v", name, e)
		}
		rc := e.header("X-Amzn-Request-Context")
		if len(rc) != 1 || strings.Contains(rc[0], "serviceNetworkArn") != c.rc {
			t.Errorf("%s: x-amzn-request-context %q", name, rc)
		}
	}
	ws := []byte(`{"requestContext":{"routeKey":"chat","eventType":"MESSAGE","stage":"prod","connectionId":"c-1","domainName":"x.execute-api.us-east-1.amazonaws.com","apiId":"x"},"body":"{\"action\":\"chat\"}","isBase64Encoded":false}`)
	res := b.invoke(t, ws)
	var e echoed
	if res.Failed() || json.Unmarshal(res.Body, &e) != nil || e.Path != "/events" || !strings.Contains(e.Body, `"connectionId":"c-1"`) {
		t.Errorf("WebSocket event: %s %s", res.Outcome, res.Body)
	}
}

// The web app gets Lambda's logging controls, as under the adapter (it
// passes its environment on), so its own logger can follow them.
func TestAppGetsLoggingControls(t *testing.T) {
	b := startBox(t, adapterApp(t), 3*time.Second, "AWS_LAMBDA_LOG_FORMAT=JSON", "AWS_LAMBDA_LOG_LEVEL=DEBUG")
	for name, want := range map[string]string{"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "DEBUG"} {
		if _, lr := b.ok(t, v2Event("GET", "/env", "name="+name, nil)); lr.Body != want {
			t.Errorf("the app sees %s=%q, want %q", name, lr.Body, want)
		}
	}
	if !strings.Contains(b.logs.String(), `"message":"invoke"`) || !strings.Contains(b.logs.String(), `"requestId":`) {
		t.Errorf("faas-runtime's own lines are not JSON:\n%s", b.logs)
	}
}

// AWS_LAMBDA_EXEC_WRAPPER: the web app starts through the wrapper, which
// sets a variable and execs "$@" (the adapter leaves the wrapper out:
// aws-lambda-web-adapter #411).
func TestAppStartsThroughExecWrapper(t *testing.T) {
	wrapper := filepath.Join(t.TempDir(), "wrapper.sh")
	os.WriteFile(wrapper, []byte("#!/bin/sh\nexport WRAPPED_BY=wrapper.sh\nexec \"$@\"\n"), 0o755)
	b := startBox(t, adapterApp(t), 3*time.Second, "AWS_LAMBDA_EXEC_WRAPPER="+wrapper)
	if _, lr := b.ok(t, v2Event("GET", "/env", "name=WRAPPED_BY", nil)); lr.Body != "wrapper.sh" {
		t.Errorf("the app sees WRAPPED_BY=%q: not started through the wrapper", lr.Body)
	}
}
