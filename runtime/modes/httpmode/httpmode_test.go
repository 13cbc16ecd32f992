package httpmode_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator/emulatortest"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/sandbox"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/modes/httpmode"
)

func TestMain(m *testing.M) {
	code := m.Run()
	printBenchTable()
	testutil.CleanupBinaries()
	os.Exit(code)
}

var (
	pyOnce sync.Once
	pyPath string
)

// python3 is the interpreter itself: a version manager's shim on PATH
// (pyenv) costs seconds per start, which would be measured as app start-up.
func python3(t *testing.T) string {
	py := testutil.Need(t, "python3")[0]
	pyOnce.Do(func() {
		pyPath = py
		if out, err := exec.Command(py, "-c", "import sys; print(sys.executable)").Output(); err == nil && len(bytes.TrimSpace(out)) > 0 {
			pyPath = string(bytes.TrimSpace(out))
		}
	})
	return pyPath
}

// apps are the two example web apps every end-to-end test runs against.
func apps(t *testing.T) map[string][]string {
	py := python3(t)
	return map[string][]string{
		"go":     {testutil.Binary(t, "./examples/http-go")},
		"python": {py, filepath.Join(testutil.RepoRoot(t), "examples", "http-python", "app.py")},
	}
}

type box struct {
	*sandbox.Sandbox
	logs      *testutil.SyncBuffer
	allowNone map[string]bool // invocations answered by an init error
}

// startBox runs the real faas-runtime binary with the app as its handler
// (http mode inferred from AWS_LWA_PORT) and checks at the end that every
// invocation got exactly one outcome.
func startBox(t *testing.T, app []string, timeout time.Duration, env ...string) *box {
	t.Helper()
	rt := testutil.Binary(t, "./cmd/faas-runtime")
	return newBox(t, sandbox.Options{Command: append([]string{rt}, app...)}, timeout, env...)
}

// newBox starts a sandbox with o (the app on a free AWS_LWA_PORT, logs
// kept) and checks exactly-once when the test ends.
func newBox(t *testing.T, o sandbox.Options, timeout time.Duration, env ...string) *box {
	t.Helper()
	return bareBox(t, o, timeout, append([]string{"AWS_LWA_PORT=" + testutil.FreePort(t)}, env...)...)
}

// bareBox is newBox without the AWS_LWA_PORT: env is all there is.
func bareBox(t *testing.T, o sandbox.Options, timeout time.Duration, env ...string) *box {
	t.Helper()
	b := &box{logs: &testutil.SyncBuffer{}, allowNone: map[string]bool{}}
	o.Env = env
	led := emulatortest.NewLedger()
	o.Timeout, o.Stderr, o.Stdout, o.Observe = timeout, b.logs, b.logs, led.Observe
	sb, err := sandbox.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	b.Sandbox = sb
	t.Cleanup(func() {
		sb.Close()
		if err := led.CheckExactlyOnce(b.allowNone); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Logf("runtime and app logs:\n%s", b.logs)
		}
	})
	return b
}

func (b *box) invoke(t *testing.T, payload []byte) *emulator.Result {
	t.Helper()
	res, err := b.Invoke(context.Background(), payload, emulator.InvokeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// ok invokes and expects a response.
func (b *box) ok(t *testing.T, payload []byte) (*emulator.Result, *lambdaResponse) {
	t.Helper()
	res := b.invoke(t, payload)
	if res.Failed() {
		t.Fatalf("invocation failed: %s %s", res.ErrorType, res.Body)
	}
	var lr lambdaResponse
	if err := json.Unmarshal(res.Body, &lr); err != nil {
		t.Fatalf("response %s: %v", res.Body, err)
	}
	return res, &lr
}

// fails invokes and expects an error of type typ whose message has want.
func (b *box) fails(t *testing.T, payload []byte, typ, want string) *emulator.Result {
	t.Helper()
	res := b.invoke(t, payload)
	if !res.Failed() || res.ErrorType != typ {
		t.Fatalf("got %s %q %s, want error %s", res.Outcome, res.ErrorType, res.Body, typ)
	}
	var ae api.Error
	if err := json.Unmarshal(res.Body, &ae); err != nil || !strings.Contains(ae.Message, want) {
		t.Fatalf("error body %s: want a message containing %q", res.Body, want)
	}
	return res
}

// lambdaResponse is the union of the four response shapes.
type lambdaResponse struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Cookies           []string            `json:"cookies"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

func (r *lambdaResponse) body(t *testing.T) []byte {
	if !r.IsBase64Encoded {
		return []byte(r.Body)
	}
	b, err := base64.StdEncoding.DecodeString(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (r *lambdaResponse) header(k string) []string {
	if vs, ok := r.MultiValueHeaders[k]; ok {
		return vs
	}
	if v, ok := r.Headers[k]; ok {
		return []string{v}
	}
	return nil
}

// echoed is what the apps' /echo route answers.
type echoed struct {
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Query   string              `json:"query"`
	Host    string              `json:"host"`
	Headers map[string][]string `json:"headers"`
	Body    string              `json:"body"`
}

func (e *echoed) header(k string) []string {
	for name, vs := range e.Headers {
		if strings.EqualFold(name, k) {
			return vs
		}
	}
	return nil
}

// shape builds an event of one source for method, path and query (one
// parameter x=1), with a header X-Test, a forged x-amzn-lambda-context,
// and a body (base64-encoded on the wire).
type shape struct {
	name  string
	build func(method, path, body string) []byte
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

var forged = `{"request_id":"forged"}`

func shapes() []shape {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	return []shape{
		{"apigw-v1", func(m, p, body string) []byte {
			return mustJSON(events.APIGatewayProxyRequest{
				HTTPMethod: m, Path: p,
				Headers:                         map[string]string{"X-Test": "t", "X-Amzn-Lambda-Context": forged, "Accept-Encoding": "gzip"},
				MultiValueHeaders:               map[string][]string{"X-Test": {"t"}, "X-Amzn-Lambda-Context": {forged}, "Accept-Encoding": {"gzip"}},
				MultiValueQueryStringParameters: map[string][]string{"x": {"1"}},
				RequestContext:                  events.APIGatewayProxyRequestContext{RequestID: "ctx-v1", Stage: "prod", HTTPMethod: m},
				Body:                            b64(body), IsBase64Encoded: true,
			})
		}},
		{"apigw-v2", func(m, p, body string) []byte {
			return mustJSON(events.APIGatewayV2HTTPRequest{
				Version: "2.0", RouteKey: "$default", RawPath: p, RawQueryString: "x=1", Cookies: []string{"c=1"},
				Headers: map[string]string{"x-test": "t", "x-amzn-lambda-context": forged, "accept-encoding": "gzip"},
				RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "ctx-v2", DomainName: "id.execute-api.us-east-1.amazonaws.com",
					HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: m, Path: p}},
				Body: b64(body), IsBase64Encoded: true,
			})
		}},
		{"alb", func(m, p, body string) []byte {
			return mustJSON(events.ALBTargetGroupRequest{
				HTTPMethod: m, Path: p, QueryStringParameters: map[string]string{"x": "1"},
				Headers:        map[string]string{"x-test": "t", "x-amzn-lambda-context": forged, "accept-encoding": "gzip"},
				RequestContext: events.ALBTargetGroupRequestContext{ELB: events.ELBContext{TargetGroupArn: "arn:tg"}},
				Body:           b64(body), IsBase64Encoded: true,
			})
		}},
		{"alb-multi", func(m, p, body string) []byte {
			return mustJSON(events.ALBTargetGroupRequest{
				HTTPMethod: m, Path: p, MultiValueQueryStringParameters: map[string][]string{"x": {"1"}},
				MultiValueHeaders: map[string][]string{"x-test": {"t"}, "x-amzn-lambda-context": {forged}, "accept-encoding": {"gzip"}},
				RequestContext:    events.ALBTargetGroupRequestContext{ELB: events.ELBContext{TargetGroupArn: "arn:tg"}},
				Body:              b64(body), IsBase64Encoded: true,
			})
		}},
		{"function-url", func(m, p, body string) []byte {
			return mustJSON(events.LambdaFunctionURLRequest{
				Version: "2.0", RawPath: p, RawQueryString: "x=1", Cookies: []string{"c=1"},
				Headers: map[string]string{"x-test": "t", "x-amzn-lambda-context": forged, "accept-encoding": "gzip"},
				RequestContext: events.LambdaFunctionURLRequestContext{RequestID: "ctx-url", DomainName: "abc.lambda-url.us-east-1.on.aws",
					HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: m, Path: p}},
				Body: b64(body), IsBase64Encoded: true,
			})
		}},
	}
}

var sqsEvent = mustJSON(events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-1", Body: "queued work", EventSource: "aws:sqs"}}})

// TestEventShapes: every event shape reaches both apps as the right
// request and comes back in the shape its source expects; other events
// are passed through.
func TestEventShapes(t *testing.T) {
	for name, app := range apps(t) {
		t.Run(name, func(t *testing.T) {
			b := startBox(t, app, 5*time.Second)
			for _, s := range shapes() {
				t.Run(s.name, func(t *testing.T) {
					res, lr := b.ok(t, s.build("POST", "/echo/a b", "payload \x00 bytes"))
					if lr.StatusCode != 200 || lr.header("x-echo")[0] != "yes" {
						t.Fatalf("status %d headers %v %v", lr.StatusCode, lr.Headers, lr.MultiValueHeaders)
					}
					if strings.HasPrefix(s.name, "alb") && lr.StatusDescription != "200 OK" {
						t.Errorf("ALB statusDescription %q", lr.StatusDescription)
					}
					if (s.name == "alb-multi" || s.name == "apigw-v1") != (lr.MultiValueHeaders != nil) {
						t.Errorf("multiValueHeaders %v in a %s response", lr.MultiValueHeaders, s.name)
					}
					var e echoed
					if err := json.Unmarshal(lr.body(t), &e); err != nil {
						t.Fatalf("echo %s: %v", lr.body(t), err)
					}
					if e.Method != "POST" || e.Path != "/echo/a%20b" || e.Query != "x=1" || e.Body != "payload \x00 bytes" {
						t.Errorf("request as the app saw it: %+v", e)
					}
					if got := e.header("X-Test"); len(got) != 1 || got[0] != "t" {
						t.Errorf("X-Test %q", got)
					}
					if (s.name == "apigw-v2" || s.name == "function-url") && strings.Join(e.header("Cookie"), "") != "c=1" {
						t.Errorf("cookies not forwarded: %v", e.Headers)
					}
					lc := e.header("X-Amzn-Lambda-Context")
					if len(lc) != 1 || !strings.Contains(lc[0], `"request_id":"`+res.RequestID+`"`) || strings.Contains(lc[0], "forged") {
						t.Errorf("x-amzn-lambda-context %q: want ours (request %s), never the client's", lc, res.RequestID)
					}
					if rc := e.header("X-Amzn-Request-Context"); len(rc) != 1 || !json.Valid([]byte(rc[0])) {
						t.Errorf("x-amzn-request-context %q", rc)
					}

					_, lr = b.ok(t, s.build("GET", "/cookies", ""))
					var cookies []string
					switch s.name {
					case "apigw-v2", "function-url":
						cookies = lr.Cookies
					default:
						cookies = lr.header("set-cookie")
					}
					want := 2
					if s.name == "alb" {
						want = 1 // single-value ALB keeps the last
					}
					if len(cookies) != want || !strings.HasPrefix(cookies[len(cookies)-1], "b=2") {
						t.Errorf("cookies %q (headers %v %v)", cookies, lr.Headers, lr.MultiValueHeaders)
					}

					_, lr = b.ok(t, s.build("GET", "/binary", ""))
					if bin := lr.body(t); !lr.IsBase64Encoded || len(bin) != 256 || bin[255] != 255 {
						t.Errorf("binary body: base64 %v, %d bytes", lr.IsBase64Encoded, len(bin))
					}
				})
			}
			t.Run("pass-through", func(t *testing.T) {
				res := b.invoke(t, sqsEvent)
				var out struct {
					Received      events.SQSEvent `json:"received"`
					LambdaContext struct {
						RequestID string `json:"request_id"`
					} `json:"lambda_context"`
				}
				if res.Failed() || json.Unmarshal(res.Body, &out) != nil {
					t.Fatalf("%s %s", res.ErrorType, res.Body)
				}
				if len(out.Received.Records) != 1 || out.Received.Records[0].Body != "queued work" || out.LambdaContext.RequestID != res.RequestID {
					t.Errorf("pass-through: %s", res.Body)
				}
			})
		})
	}
}

// chunkRecorder is the invoker's side of a streamed response: it notes
// when each piece arrived.
type chunkRecorder struct {
	mu     sync.Mutex
	data   bytes.Buffer
	at     []time.Time
	pieces []string
}

func (c *chunkRecorder) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.data.Write(p)
	c.at = append(c.at, time.Now())
	c.pieces = append(c.pieces, string(p))
	return len(p), nil
}

// arrival is when the bytes up to and including the first occurrence of s
// had arrived.
func (c *chunkRecorder) arrival(s string) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	var seen strings.Builder
	for i, p := range c.pieces {
		seen.WriteString(p)
		if strings.Contains(seen.String(), s) {
			return c.at[i]
		}
	}
	return time.Time{}
}

// TestStreaming: with AWS_LWA_INVOKE_MODE=response_stream the prelude and
// then each chunk reach the invoker as the app writes it.
func TestStreaming(t *testing.T) {
	for name, app := range apps(t) {
		t.Run(name, func(t *testing.T) {
			b := startBox(t, app, 5*time.Second, "AWS_LWA_INVOKE_MODE=response_stream")
			for _, s := range shapes() {
				t.Run(s.name, func(t *testing.T) {
					ev := s.build("GET", "/stream", "")
					ev = bytes.Replace(ev, []byte(`x=1`), []byte(`n=3&ms=250`), 1)
					ev = bytes.Replace(ev, []byte(`"x":"1"`), []byte(`"n":"3","ms":"250"`), 1)
					ev = bytes.Replace(ev, []byte(`"x":["1"]`), []byte(`"n":["3"],"ms":["250"]`), 1)
					rec := &chunkRecorder{}
					res, err := b.Invoke(context.Background(), ev, emulator.InvokeOptions{Stream: rec})
					if err != nil {
						t.Fatal(err)
					}
					if res.Failed() || !res.Streamed || res.ContentType != api.ContentTypeHTTPIntegration {
						t.Fatalf("%s streamed=%v content type %q: %s", res.Outcome, res.Streamed, res.ContentType, res.Body)
					}
					got := rec.data.Bytes()
					i := bytes.Index(got, make([]byte, 8))
					if i < 0 {
						t.Fatalf("no 8-NUL separator after the prelude: %q", got)
					}
					var prelude struct {
						StatusCode int               `json:"statusCode"`
						Headers    map[string]string `json:"headers"`
					}
					if err := json.Unmarshal(got[:i], &prelude); err != nil || prelude.StatusCode != 200 || !strings.HasPrefix(prelude.Headers["content-type"], "text/plain") {
						t.Fatalf("prelude %q: %v", got[:i], err)
					}
					if body := string(got[i+8:]); body != "chunk 0\nchunk 1\nchunk 2\n" {
						t.Fatalf("body %q", body)
					}
					// The app sleeps 250 ms between chunks: the first must have
					// been forwarded long before the last was written.
					if gap := rec.arrival("chunk 2").Sub(rec.arrival("chunk 0")); gap < 300*time.Millisecond {
						t.Errorf("chunk 0 arrived only %v before chunk 2: the body was buffered, not streamed", gap)
					}
				})
			}
			t.Run("pass-through", func(t *testing.T) {
				rec := &chunkRecorder{}
				res, err := b.Invoke(context.Background(), sqsEvent, emulator.InvokeOptions{Stream: rec})
				if err != nil || res.Failed() || !res.Streamed {
					t.Fatalf("%v %+v", err, res)
				}
				if !strings.Contains(rec.data.String(), `"queued work"`) || res.ContentType != api.ContentTypeHTTPIntegration {
					t.Errorf("pass-through stream %q (%s)", rec.data.String(), res.ContentType)
				}
			})
			t.Run("app dies mid-stream", func(t *testing.T) {
				rec := &chunkRecorder{}
				res, err := b.Invoke(context.Background(), shapes()[4].build("GET", "/stream-die", ""), emulator.InvokeOptions{Stream: rec})
				if err != nil {
					t.Fatal(err)
				}
				if !res.Failed() || res.ErrorType != api.ErrTypeExit || !strings.Contains(rec.data.String(), "chunk 1") {
					t.Fatalf("%s %s after %q", res.Outcome, res.ErrorType, rec.data.String())
				}
				if !strings.Contains(string(res.Body), "RequestId: "+res.RequestID+" Error: ") {
					t.Errorf("error body %s: want Lambda's wording, with the request id", res.Body)
				}
				if !strings.Contains(string(res.Body), "exit status 3") {
					t.Errorf("error body %s: want the app's exit status", res.Body)
				}
				// The app is restarted for the next invocation.
				rec = &chunkRecorder{}
				res, err = b.Invoke(context.Background(), shapes()[1].build("GET", "/echo", ""), emulator.InvokeOptions{Stream: rec})
				if err != nil || res.Failed() || !strings.Contains(rec.data.String(), `"X-Test"`) {
					t.Fatalf("after the restart: %v %+v %q", err, res, rec.data.String())
				}
				if b.Starts() != 1 {
					t.Errorf("the runtime restarted (%d starts): only the app should have", b.Starts())
				}
			})
		})
	}
}

// TestBadInput: each bad input gets a clear error and the next invocation
// works.
func TestBadInput(t *testing.T) {
	goApp := apps(t)["go"]
	v2 := shapes()[1].build
	b := startBox(t, goApp, 2*time.Second, "AWS_LWA_ERROR_STATUS_CODES=500,502-504")
	next := func(t *testing.T) {
		t.Helper()
		if _, lr := b.ok(t, v2("GET", "/echo", "")); lr.StatusCode != 200 {
			t.Fatalf("next invocation: status %d", lr.StatusCode)
		}
	}
	evil := func(field, value string) []byte {
		var m map[string]any
		_ = json.Unmarshal(v2("GET", "/echo", ""), &m)
		m["headers"].(map[string]any)[field] = value
		return mustJSON(m)
	}
	cases := []struct {
		name    string
		payload []byte
		typ     string
		want    string
	}{
		{"malformed JSON", []byte(`{"version":"2.0","rawPath":`), "Runtime.MalformedEvent", "not valid JSON"},
		{"unknown shape", []byte(`{"version":"3.0","rawPath":"/","requestContext":{"http":{"method":"GET"}}}`), "Runtime.UnknownEventShape", `"3.0"`},
		{"CRLF in a header value", evil("x-evil", "a\r\nX-Injected: 1"), "Runtime.InvalidHeader", "X-Evil"},
		{"NUL in a header value", evil("x-evil", "a\x00b"), "Runtime.InvalidHeader", "X-Evil"},
		{"space in a header name", evil("x evil", "v"), "Runtime.InvalidHeader", "x evil"},
		{"response over 6 MB", v2("GET", "/text", ""), api.ErrTypeResponseTooBig, "exceeded maximum"},
		{"error status code", v2("GET", "/status/503", ""), httpmode.ErrTypeErrorStatus, `{"statusCode":503,"body":""}`},
		{"app dies mid-request", v2("GET", "/die", ""), api.ErrTypeExit, "exiting without an answer"},
		{"app too slow for the deadline", v2("GET", "/slow", ""), api.ErrTypeTimeout, "timed out"},
	}
	cases[5].payload = bytes.Replace(cases[5].payload, []byte(`x=1`), []byte(`n=7000000`), 1)
	cases[8].payload = bytes.Replace(cases[8].payload, []byte(`x=1`), []byte(`ms=10000`), 1)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := b.fails(t, c.payload, c.typ, c.want)
			if res.Outcome != emulator.OutcomeError {
				t.Errorf("outcome %s: the runtime itself must post the error", res.Outcome)
			}
			next(t)
		})
	}
	t.Run("status not listed", func(t *testing.T) {
		if _, lr := b.ok(t, v2("GET", "/status/404", "")); lr.StatusCode != 404 {
			t.Errorf("status %d", lr.StatusCode)
		}
	})
	if n := strings.Count(b.logs.String(), "X-Injected"); n != 0 {
		t.Errorf("the injected header reached the logs/app %d times", n)
	}
	if b.Starts() != 1 {
		t.Errorf("runtime started %d times: bad input must not cost the sandbox", b.Starts())
	}
}

// TestReadiness: the readiness settings of the adapter.
func TestReadiness(t *testing.T) {
	goApp := apps(t)["go"]
	ev := shapes()[1].build("GET", "/echo", "")
	t.Run("healthy status configured", func(t *testing.T) {
		b := startBox(t, goApp, 3*time.Second, "AWS_LWA_READINESS_CHECK_PATH=/status/503", "AWS_LWA_READINESS_CHECK_HEALTHY_STATUS=200-299,503")
		b.ok(t, ev)
	})
	t.Run("tcp", func(t *testing.T) {
		b := startBox(t, goApp, 3*time.Second, "AWS_LWA_READINESS_CHECK_PROTOCOL=tcp", "AWS_LWA_READINESS_CHECK_PATH=/status/503")
		b.ok(t, ev)
	})
	t.Run("async init", func(t *testing.T) {
		b := startBox(t, goApp, 5*time.Second, "HTTP_GO_START_DELAY_MS=700", "AWS_LWA_ASYNC_INIT=true")
		b.ok(t, ev)
	})
	t.Run("app missing", func(t *testing.T) {
		b := startBox(t, []string{filepath.Join(t.TempDir(), "no-such-app")}, 3*time.Second)
		res := b.invoke(t, ev)
		b.allowNone[res.RequestID] = true
		if res.ErrorType != "Runtime.InvalidEntrypoint" || !strings.Contains(string(res.Body), "no-such-app") {
			t.Fatalf("%s %s", res.ErrorType, res.Body)
		}
	})
	t.Run("bad config", func(t *testing.T) {
		// What the adapter cannot start with either: a port that is not a number.
		b := startBox(t, goApp, 3*time.Second, "AWS_LWA_READINESS_CHECK_PORT=80a", "FAAS_HTTP_STOP_GRACE=soon")
		res := b.invoke(t, ev)
		b.allowNone[res.RequestID] = true
		if res.ErrorType != api.ErrTypeBadConfig || !strings.Contains(string(res.Body), "AWS_LWA_READINESS_CHECK_PORT") || !strings.Contains(string(res.Body), "FAAS_HTTP_STOP_GRACE") {
			t.Fatalf("%s %s", res.ErrorType, res.Body)
		}
	})
}

// TestCompression: AWS_LWA_ENABLE_COMPRESSION gzips buffered responses for
// clients that accept it.
func TestCompression(t *testing.T) {
	b := startBox(t, apps(t)["go"], 3*time.Second, "AWS_LWA_ENABLE_COMPRESSION=true")
	ev := bytes.Replace(shapes()[1].build("GET", "/text", ""), []byte(`x=1`), []byte(`n=5000`), 1)
	_, lr := b.ok(t, ev)
	if lr.Headers["content-encoding"] != "gzip" || !lr.IsBase64Encoded {
		t.Fatalf("headers %v base64 %v", lr.Headers, lr.IsBase64Encoded)
	}
	zr, err := gzip.NewReader(bytes.NewReader(lr.body(t)))
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := io.ReadAll(zr); len(plain) != 5000 {
		t.Errorf("gunzipped %d bytes, want 5000", len(plain))
	}
}

// TestConcurrency: with AWS_LAMBDA_MAX_CONCURRENCY=4 four invocations
// reach the one app at the same time.
func TestConcurrency(t *testing.T) {
	for name, app := range apps(t) {
		t.Run(name, func(t *testing.T) {
			b := startBox(t, app, 5*time.Second, "AWS_LAMBDA_MAX_CONCURRENCY=4")
			ev := bytes.Replace(shapes()[1].build("GET", "/concurrent", ""), []byte(`x=1`), []byte(`ms=1000`), 1)
			b.ok(t, ev) // started and warm
			var wg sync.WaitGroup
			peaks := make([]int, 4)
			for i := range peaks {
				wg.Go(func() {
					res, err := b.Invoke(context.Background(), ev, emulator.InvokeOptions{})
					if err != nil || res.Failed() {
						t.Errorf("%v %+v", err, res)
						return
					}
					var lr lambdaResponse
					var p struct{ Peak int }
					json.Unmarshal(res.Body, &lr)
					json.Unmarshal([]byte(lr.Body), &p)
					peaks[i] = p.Peak
				})
			}
			wg.Wait()
			// Served one at a time the peak would be 1; four loops should
			// reach 4, and a loaded machine may start one late.
			if top := max(peaks[0], peaks[1], peaks[2], peaks[3]); top < 3 {
				t.Errorf("peak requests in flight at the app: %d, want 4 (%v)", top, peaks)
			}
		})
	}
}

// TestSIGTERM: SIGTERM to the runtime reaches the app, which shuts down
// gracefully within the grace period.
func TestSIGTERM(t *testing.T) {
	for name, app := range apps(t) {
		t.Run(name, func(t *testing.T) {
			b := startBox(t, app, 3*time.Second)
			b.ok(t, shapes()[1].build("GET", "/echo", ""))
			if err := b.Stop(2 * time.Second); err != nil {
				t.Fatalf("runtime exit: %v", err)
			}
			if !strings.Contains(b.logs.String(), "SIGTERM received") {
				t.Errorf("the app never saw SIGTERM:\n%s", b.logs)
			}
		})
	}
}
