package httpevent_test

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/faas-runtime/faas-runtime/runtime/httpevent"
)

// The events are built with aws-lambda-go's types, so our minimal decoding
// structs are checked against the library's idea of each shape.

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
