package httpevent_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/httpevent"
)

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
