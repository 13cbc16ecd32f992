package httpevent_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/httpevent"
)

// The events are built with aws-lambda-go's types, so our minimal decoding
// structs are checked against the library's idea of each shape.

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func inv(payload []byte) *api.Invocation {
	return &api.Invocation{RequestID: "req-1", DeadlineMs: 1700000000000, FunctionARN: "arn:aws:lambda:us-east-1:000000000000:function:f",
		TraceID: "Root=1-abc", ClientContext: `{"client":{"app_title":"x"}}`, TenantID: "tenant-7", Payload: payload}
}

var opts = &httpevent.Options{Env: httpevent.EnvConfig{FunctionName: "f", Memory: 128, Version: "$LATEST"}}

func translate(t *testing.T, v any, o *httpevent.Options) *httpevent.Request {
	t.Helper()
	var payload []byte
	if b, ok := v.([]byte); ok {
		payload = b
	} else {
		payload = mustJSON(t, v)
	}
	if o == nil {
		o = opts
	}
	r, err := httpevent.Translate(inv(payload), o)
	if err != nil {
		t.Fatalf("Translate: %v", err)
	}
	return r
}

func V1Event() events.APIGatewayProxyRequest {
	return events.APIGatewayProxyRequest{
		Resource: "/{proxy+}", Path: "/api/items/a b", HTTPMethod: "PUT",
		Headers:                         map[string]string{"Host": "abc.execute-api.us-east-1.amazonaws.com", "X-Single": "s", "Content-Length": "999"},
		MultiValueHeaders:               map[string][]string{"X-Multi": {"1", "2"}, "Host": {"abc.execute-api.us-east-1.amazonaws.com"}},
		QueryStringParameters:           map[string]string{"k": "c&d", "z": "last"},
		MultiValueQueryStringParameters: map[string][]string{"k": {"a b", "c&d"}, "z": {"last"}},
		RequestContext:                  events.APIGatewayProxyRequestContext{Stage: "prod", RequestID: "apigw-1", HTTPMethod: "PUT", Path: "/prod/api/items/a b"},
		Body:                            base64.StdEncoding.EncodeToString([]byte("\x00binary\xff")),
		IsBase64Encoded:                 true,
	}
}

func V2Event() events.APIGatewayV2HTTPRequest {
	return events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "$default", RawPath: "/echo/x", RawQueryString: "a=1&b=%20two",
		Cookies: []string{"c1=v1", "c2=v2"},
		Headers: map[string]string{"host": "abc.execute-api.us-east-1.amazonaws.com", "content-type": "application/json", "x-amzn-lambda-context": "forged", "connection": "keep-alive, x-drop", "x-drop": "1"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			DomainName: "abc.execute-api.us-east-1.amazonaws.com", RequestID: "apigw-2", Stage: "$default",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/echo/x"},
		},
		Body: `{"a":1}`,
	}
}

func URLEvent() events.LambdaFunctionURLRequest {
	return events.LambdaFunctionURLRequest{
		Version: "2.0", RawPath: "/echo", RawQueryString: "q=1",
		Headers: map[string]string{"host": "xyz.lambda-url.us-east-1.on.aws"},
		RequestContext: events.LambdaFunctionURLRequestContext{
			DomainName: "xyz.lambda-url.us-east-1.on.aws", RequestID: "url-1",
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "GET", Path: "/echo"},
		},
	}
}

func ALBEvent(multi bool) events.ALBTargetGroupRequest {
	e := events.ALBTargetGroupRequest{
		HTTPMethod: "GET", Path: "/echo",
		RequestContext: events.ALBTargetGroupRequestContext{ELB: events.ELBContext{TargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/tg/1"}},
	}
	if multi {
		e.MultiValueHeaders = map[string][]string{"host": {"alb.example.com"}, "x-multi": {"1", "2"}}
		e.MultiValueQueryStringParameters = map[string][]string{"q": {"a%20b", "c"}}
	} else {
		e.Headers = map[string]string{"host": "alb.example.com", "x-single": "s"}
		e.QueryStringParameters = map[string]string{"q": "a%20b"}
	}
	return e
}

func TestV1(t *testing.T) {
	r := translate(t, V1Event(), nil)
	if r.Kind != httpevent.APIGatewayV1 || r.Method != "PUT" {
		t.Fatalf("kind %v method %q", r.Kind, r.Method)
	}
	if r.Path != "/api/items/a%20b" {
		t.Errorf("path %q", r.Path)
	}
	if r.RawQuery != "k=a+b&k=c%26d&z=last" {
		t.Errorf("query %q: multi-value parameters, re-encoded", r.RawQuery)
	}
	if got := r.Header["X-Multi"]; !reflect.DeepEqual(got, []string{"1", "2"}) {
		t.Errorf("X-Multi %q", got)
	}
	if r.Header.Get("X-Single") != "s" {
		t.Errorf("single-value header lost: %v", r.Header)
	}
	if r.Header.Get("Content-Length") != "" || r.Header.Get("Host") != "" {
		t.Errorf("framing headers must not be forwarded: %v", r.Header)
	}
	if r.Host != "abc.execute-api.us-east-1.amazonaws.com" {
		t.Errorf("host %q", r.Host)
	}
	if string(r.Body) != "\x00binary\xff" {
		t.Errorf("body %q: base64 not decoded", r.Body)
	}
	var rc events.APIGatewayProxyRequestContext
	if err := json.Unmarshal([]byte(r.Header.Get(httpevent.HeaderRequestContext)), &rc); err != nil || rc.RequestID != "apigw-1" || rc.Stage != "prod" {
		t.Errorf("x-amzn-request-context %q: %v", r.Header.Get(httpevent.HeaderRequestContext), err)
	}
}

func TestV2(t *testing.T) {
	r := translate(t, V2Event(), nil)
	if r.Kind != httpevent.APIGatewayV2 || r.Method != "POST" || r.Target() != "/echo/x?a=1&b=%20two" {
		t.Fatalf("kind %v %s %s", r.Kind, r.Method, r.Target())
	}
	if r.Header.Get("Cookie") != "c1=v1; c2=v2" {
		t.Errorf("cookies: %q", r.Header.Get("Cookie"))
	}
	if r.Header.Get("X-Drop") != "" || r.Header.Get("Connection") != "" {
		t.Errorf("hop-by-hop headers forwarded: %v", r.Header)
	}
	if string(r.Body) != `{"a":1}` {
		t.Errorf("body %q", r.Body)
	}
	// The client's forged context is replaced by ours.
	lc := r.Header.Values(httpevent.HeaderLambdaContext)
	if len(lc) != 1 {
		t.Fatalf("x-amzn-lambda-context values: %q", lc)
	}
	var got struct {
		RequestID     string          `json:"request_id"`
		Deadline      int64           `json:"deadline"`
		ARN           string          `json:"invoked_function_arn"`
		Trace         string          `json:"xray_trace_id"`
		ClientContext json.RawMessage `json:"client_context"`
		TenantID      string          `json:"tenant_id"`
		Env           struct {
			Name string `json:"function_name"`
		} `json:"env_config"`
	}
	if err := json.Unmarshal([]byte(lc[0]), &got); err != nil {
		t.Fatalf("x-amzn-lambda-context %q: %v", lc[0], err)
	}
	if got.RequestID != "req-1" || got.Deadline != 1700000000000 || got.ARN == "" || got.Trace != "Root=1-abc" || got.TenantID != "tenant-7" || got.Env.Name != "f" || !strings.Contains(string(got.ClientContext), "app_title") {
		t.Errorf("x-amzn-lambda-context: %+v", got)
	}
}

func TestFunctionURL(t *testing.T) {
	r := translate(t, URLEvent(), nil)
	if r.Kind != httpevent.FunctionURL || r.Method != "GET" || r.Target() != "/echo?q=1" || r.Host != "xyz.lambda-url.us-east-1.on.aws" {
		t.Fatalf("%v %s %s host %s", r.Kind, r.Method, r.Target(), r.Host)
	}
}

func TestALB(t *testing.T) {
	r := translate(t, ALBEvent(false), nil)
	if r.Kind != httpevent.ALB || r.MultiValue || r.Target() != "/echo?q=a%20b" || r.Header.Get("X-Single") != "s" {
		t.Fatalf("single: %v multi=%v %s %v", r.Kind, r.MultiValue, r.Target(), r.Header)
	}
	r = translate(t, ALBEvent(true), nil)
	if r.Kind != httpevent.ALB || !r.MultiValue || r.Target() != "/echo?q=a%20b&q=c" || len(r.Header["X-Multi"]) != 2 {
		t.Fatalf("multi: %v multi=%v %s %v", r.Kind, r.MultiValue, r.Target(), r.Header)
	}
}

func TestPassThrough(t *testing.T) {
	sqs := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: "hello"}}}
	for name, payload := range map[string][]byte{
		"sqs":         mustJSON(t, sqs),
		"s3":          mustJSON(t, events.S3Event{Records: []events.S3EventRecord{{EventName: "ObjectCreated:Put"}}}),
		"eventbridge": mustJSON(t, events.EventBridgeEvent{Source: "my.app", DetailType: "x", Detail: json.RawMessage(`{"a":1}`)}),
		"direct":      []byte(`{"hello":"world"}`),
		"string":      []byte(`"just a string"`),
		"websocket":   []byte(`{"requestContext":{"routeKey":"$connect","eventType":"CONNECT"}}`),
	} {
		r := translate(t, payload, &httpevent.Options{PassThroughPath: "/custom/events"})
		if r.Kind != httpevent.PassThrough || r.Method != "POST" || r.Path != "/custom/events" || string(r.Body) != string(payload) {
			t.Errorf("%s: %v %s %s body %q", name, r.Kind, r.Method, r.Path, r.Body)
		}
		if r.Header.Get(httpevent.HeaderLambdaContext) == "" {
			t.Errorf("%s: no lambda context", name)
		}
	}
}

func TestOptions(t *testing.T) {
	e := V2Event()
	e.RawPath = "/api/echo"
	e.Headers["x-api-key"] = "Bearer k"
	r := translate(t, e, &httpevent.Options{RemoveBasePath: "/api", AuthorizationSource: "X-Api-Key"})
	if r.Path != "/echo" {
		t.Errorf("base path not removed: %q", r.Path)
	}
	if r.Header.Get("Authorization") != "Bearer k" || r.Header.Get("X-Api-Key") != "" {
		t.Errorf("authorization source: %v", r.Header)
	}
	e.RawPath = "/apiary"
	if r := translate(t, e, &httpevent.Options{RemoveBasePath: "/api"}); r.Path != "/apiary" {
		t.Errorf("/apiary is not under /api: %q", r.Path)
	}
}

func wantErr(t *testing.T, payload []byte, typ string) {
	t.Helper()
	_, err := httpevent.Translate(inv(payload), opts)
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Type != typ {
		t.Fatalf("Translate(%.80s) = %v, want %s", payload, err, typ)
	}
}

func TestBadEvents(t *testing.T) {
	wantErr(t, []byte(`{"version":"2.0",`), httpevent.ErrTypeMalformedEvent)
	wantErr(t, []byte(``), httpevent.ErrTypeMalformedEvent)
	wantErr(t, []byte(`{"version":"3.0","rawPath":"/","requestContext":{"http":{"method":"GET"}}}`), httpevent.ErrTypeUnknownShape)
	wantErr(t, []byte(`{"version":"2.0","rawPath":"/","requestContext":{"http":{}}}`), httpevent.ErrTypeUnknownShape)
	wantErr(t, []byte(`{"version":"2.0","requestContext":{"http":"GET"}}`), httpevent.ErrTypeUnknownShape)
	wantErr(t, []byte(`{"httpMethod":"GE T","path":"/","requestContext":{}}`), httpevent.ErrTypeUnknownShape)
	wantErr(t, []byte(`{"httpMethod":"GET","path":"/","headers":"nope","requestContext":{}}`), httpevent.ErrTypeUnknownShape)
	wantErr(t, []byte(`{"httpMethod":"GET","path":"/","body":"!!","isBase64Encoded":true,"requestContext":{}}`), httpevent.ErrTypeUnknownShape)

	for _, hdr := range []map[string]string{
		{"x-evil": "a\r\nInjected: yes"},
		{"x-evil": "a\nb"},
		{"x-evil": "nul\x00"},
		{"bad name": "v"},
		{"bad\r\nname": "v"},
		{"host": "h\r\nx: y"},
	} {
		e := V2Event()
		e.Headers = hdr
		wantErr(t, mustJSON(t, e), httpevent.ErrTypeInvalidHeader)
	}
	e := V2Event()
	e.Cookies = []string{"a=1\r\nX-Injected: 1"}
	wantErr(t, mustJSON(t, e), httpevent.ErrTypeInvalidHeader)
	v1 := V1Event()
	v1.MultiValueHeaders = map[string][]string{"X-Evil": {"ok", "bad\rvalue"}}
	wantErr(t, mustJSON(t, v1), httpevent.ErrTypeInvalidHeader)
}

func TestPathEscaping(t *testing.T) {
	e := V2Event()
	e.RawPath = "/a b/%zz/ok%20/q?#x"
	r := translate(t, e, nil)
	if r.Path != "/a%20b/%25zz/ok%20/q%3F%23x" {
		t.Errorf("path %q", r.Path)
	}
}

// TestLattice: both VPC Lattice versions, with string or list values, are
// requests; a WebSocket event is passed through.
func TestLattice(t *testing.T) {
	v1 := []byte(`{"raw_path":"/p?x=1","method":"GET","headers":{"host":"h.on.aws","a":"1"},"query_string_parameters":{"ignored":"yes"},"body":"","is_base64_encoded":false}`)
	r := translate(t, v1, nil)
	if r.Kind != httpevent.LatticeV1 || r.Path != "/p" || r.RawQuery != "x=1" || r.Host != "h.on.aws" || r.Header.Get("A") != "1" ||
		r.Header.Get(httpevent.HeaderRequestContext) != "null" {
		t.Errorf("v1: %+v", r)
	}
	for _, hdr := range []string{`{"a":["1","2"]}`, `{"a":"1"}`} {
		v2 := []byte(`{"version":"2.0","path":"/q","method":"DELETE","headers":` + hdr + `,"queryStringParameters":{"k":["a b"]},"body":"eA==","isBase64Encoded":true,"requestContext":{"targetGroupArn":"arn:tg","region":"r"}}`)
		r = translate(t, v2, nil)
		if r.Kind != httpevent.LatticeV2 || r.Method != "DELETE" || r.RawQuery != "k=a+b" || string(r.Body) != "x" || r.Header.Get("A") != "1" ||
			!strings.Contains(r.Header.Get(httpevent.HeaderRequestContext), "arn:tg") {
			t.Errorf("v2 headers %s: %+v", hdr, r)
		}
	}
	ws := []byte(`{"requestContext":{"eventType":"MESSAGE","connectionId":"c","routeKey":"$default"},"body":"hi","isBase64Encoded":false}`)
	if r = translate(t, ws, nil); r.Kind != httpevent.PassThrough {
		t.Errorf("WebSocket event: %v", r.Kind)
	}
	if _, err := httpevent.Translate(inv([]byte(`{"version":"3.0","path":"/","method":"GET","requestContext":{"serviceArn":"s"}}`)), opts); err == nil || err.Type != httpevent.ErrTypeUnknownShape {
		t.Errorf("Lattice version 3.0: %v", err)
	}
}

// TestLambdaHeaders: Lambda's trace id and tenant id replace the event's.
func TestLambdaHeaders(t *testing.T) {
	ev := V1Event()
	ev.Headers["X-Amzn-Trace-Id"] = "Root=client"
	ev.MultiValueHeaders["X-Amz-Tenant-Id"] = []string{"forged"}
	r := translate(t, ev, nil)
	if r.Header.Get(httpevent.HeaderTraceID) != "Root=1-abc" || len(r.Header[httpevent.HeaderTenantID]) != 1 || r.Header.Get(httpevent.HeaderTenantID) != "tenant-7" {
		t.Errorf("headers %v", r.Header)
	}
}
