package httpevent_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/textproto"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/faas-runtime/faas-runtime/runtime/httpevent"
)

func appResponse() *httpevent.Response {
	return &httpevent.Response{
		Status: 201,
		Header: textproto.MIMEHeader{
			"Content-Type":      {"text/html; charset=utf-8"},
			"Set-Cookie":        {"a=1; Path=/", "b=2; HttpOnly"},
			"X-Multi":           {"1", "2"},
			"Connection":        {"keep-alive, X-Conn-Only"},
			"X-Conn-Only":       {"dropped"},
			"Keep-Alive":        {"timeout=5"},
			"Transfer-Encoding": {"chunked"},
		},
		Body: []byte("<p>héllo</p>"),
	}
}

func decode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("response %s does not decode: %v", b, err)
	}
}

func noHop(t *testing.T, h map[string]string) {
	t.Helper()
	for _, k := range []string{"connection", "x-conn-only", "keep-alive", "transfer-encoding"} {
		if _, ok := h[k]; ok {
			t.Errorf("hop-by-hop header %s forwarded: %v", k, h)
		}
	}
}

func TestEncodeV2(t *testing.T) {
	for _, kind := range []httpevent.Kind{httpevent.APIGatewayV2, httpevent.FunctionURL} {
		out := httpevent.Encode(&httpevent.Request{Kind: kind}, appResponse())
		var r events.APIGatewayV2HTTPResponse
		decode(t, out, &r)
		if r.StatusCode != 201 || r.Body != "<p>héllo</p>" || r.IsBase64Encoded {
			t.Errorf("%v: %+v", kind, r)
		}
		if !reflect.DeepEqual(r.Cookies, []string{"a=1; Path=/", "b=2; HttpOnly"}) {
			t.Errorf("%v: cookies %q", kind, r.Cookies)
		}
		if _, ok := r.Headers["set-cookie"]; ok {
			t.Errorf("%v: set-cookie must move to cookies", kind)
		}
		if r.Headers["x-multi"] != "1, 2" || r.Headers["content-type"] != "text/html; charset=utf-8" {
			t.Errorf("%v: headers %v", kind, r.Headers)
		}
		noHop(t, r.Headers)
		var u events.LambdaFunctionURLResponse
		decode(t, out, &u)
		if u.StatusCode != 201 || len(u.Cookies) != 2 {
			t.Errorf("as a Function URL response: %+v", u)
		}
	}
}

func TestEncodeV1(t *testing.T) {
	var r events.APIGatewayProxyResponse
	decode(t, httpevent.Encode(&httpevent.Request{Kind: httpevent.APIGatewayV1}, appResponse()), &r)
	if r.StatusCode != 201 || r.Body != "<p>héllo</p>" {
		t.Fatalf("%+v", r)
	}
	if !reflect.DeepEqual(r.MultiValueHeaders["set-cookie"], []string{"a=1; Path=/", "b=2; HttpOnly"}) || !reflect.DeepEqual(r.MultiValueHeaders["x-multi"], []string{"1", "2"}) {
		t.Errorf("multiValueHeaders %v", r.MultiValueHeaders)
	}
	noHop(t, r.Headers)
}

func TestEncodeALB(t *testing.T) {
	var r events.ALBTargetGroupResponse
	decode(t, httpevent.Encode(&httpevent.Request{Kind: httpevent.ALB}, appResponse()), &r)
	if r.StatusCode != 201 || r.StatusDescription != "201 Created" || r.Headers["x-multi"] != "2" || r.MultiValueHeaders != nil {
		t.Errorf("single-value: %+v", r)
	}
	noHop(t, r.Headers)
	r = events.ALBTargetGroupResponse{}
	decode(t, httpevent.Encode(&httpevent.Request{Kind: httpevent.ALB, MultiValue: true}, appResponse()), &r)
	if r.Headers != nil || len(r.MultiValueHeaders["set-cookie"]) != 2 || len(r.MultiValueHeaders["x-multi"]) != 2 {
		t.Errorf("multi-value: %+v", r)
	}
}

func TestBinaryBodies(t *testing.T) {
	bin := []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff}
	cases := []struct {
		ct, ce string
		body   []byte
		b64    bool
	}{
		{"image/png", "", bin, true},
		{"application/octet-stream", "", []byte("ascii but binary type"), true},
		{"text/plain", "gzip", []byte("encoded"), true},
		{"text/plain", "", []byte{0xff, 0xfe}, true}, // not UTF-8: cannot be a JSON string
		{"application/json", "", []byte(`{"a":1}`), false},
		{"application/problem+json", "", []byte(`{}`), false},
		{"image/svg+xml", "", []byte(`<svg/>`), false},
		{"", "", []byte("plain"), false},
	}
	for _, c := range cases {
		h := textproto.MIMEHeader{}
		if c.ct != "" {
			h.Set("Content-Type", c.ct)
		}
		if c.ce != "" {
			h.Set("Content-Encoding", c.ce)
		}
		var r events.APIGatewayV2HTTPResponse
		decode(t, httpevent.Encode(&httpevent.Request{Kind: httpevent.APIGatewayV2}, &httpevent.Response{Status: 200, Header: h, Body: c.body}), &r)
		if r.IsBase64Encoded != c.b64 {
			t.Errorf("%s/%s: isBase64Encoded %v", c.ct, c.ce, r.IsBase64Encoded)
		}
		got := []byte(r.Body)
		if r.IsBase64Encoded {
			got, _ = base64.StdEncoding.DecodeString(r.Body)
		}
		if !bytes.Equal(got, c.body) {
			t.Errorf("%s: body %q, want %q", c.ct, got, c.body)
		}
	}
}

func TestEncodePassThrough(t *testing.T) {
	req := &httpevent.Request{Kind: httpevent.PassThrough}
	if got := httpevent.Encode(req, &httpevent.Response{Status: 200, Body: []byte(`{"ok":true}`)}); string(got) != `{"ok":true}` {
		t.Errorf("JSON body: %s", got)
	}
	if got := httpevent.Encode(req, &httpevent.Response{Status: 200, Body: []byte("done\n")}); string(got) != `"done\n"` {
		t.Errorf("text body: %s", got)
	}
}

func TestPrelude(t *testing.T) {
	p := httpevent.Prelude(appResponse())
	i := bytes.Index(p, make([]byte, 8))
	if i < 0 || i != len(p)-8 {
		t.Fatalf("prelude must end with 8 NUL bytes: %q", p)
	}
	var meta struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Cookies    []string          `json:"cookies"`
	}
	decode(t, p[:i], &meta)
	if meta.StatusCode != 201 || len(meta.Cookies) != 2 || meta.Headers["content-type"] == "" {
		t.Errorf("%+v", meta)
	}
	noHop(t, meta.Headers)
}

func TestCompress(t *testing.T) {
	text := bytes.Repeat([]byte("compress me please "), 50)
	r := &httpevent.Response{Status: 200, Header: textproto.MIMEHeader{"Content-Type": {"text/plain"}, "Content-Length": {"950"}}, Body: append([]byte(nil), text...)}
	if !httpevent.Compress("br;q=1.0, gzip;q=0.8", r) {
		t.Fatal("not compressed")
	}
	if r.Header.Get("Content-Encoding") != "gzip" || r.Header.Get("Content-Length") != "" || r.Header.Get("Vary") != "Accept-Encoding" || len(r.Body) >= len(text) {
		t.Fatalf("headers %v, %d bytes", r.Header, len(r.Body))
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(zr); !bytes.Equal(got, text) {
		t.Error("gzip round trip differs")
	}
	// The encoded body must travel as base64.
	var out events.APIGatewayV2HTTPResponse
	decode(t, httpevent.Encode(&httpevent.Request{Kind: httpevent.APIGatewayV2}, r), &out)
	if !out.IsBase64Encoded {
		t.Error("gzipped body not base64-encoded")
	}
	for name, c := range map[string]struct {
		ae, ct string
		body   []byte
	}{
		"no accept":          {"", "text/plain", text},
		"q=0":                {"gzip;q=0", "text/plain", text},
		"image":              {"gzip", "image/png", text},
		"tiny":               {"gzip", "text/plain", []byte("x")},
		"identity":           {"identity", "text/plain", text},
		"sse stream":         {"gzip", "text/event-stream", text},
		"grpc":               {"gzip", "application/grpc+proto", text},
		"br only":            {"br", "text/plain", text},
		"star":               {"*", "text/plain", text},
		"identity preferred": {"gzip;q=0.5, identity", "text/plain", text},
		"bad q":              {"gzip;q=2", "text/plain", text},
	} {
		r := &httpevent.Response{Status: 200, Header: textproto.MIMEHeader{"Content-Type": {c.ct}}, Body: c.body}
		if httpevent.Compress(c.ae, r) {
			t.Errorf("%s: compressed", name)
		}
	}
}

// TestCompressPredicate: what the adapter's predicate compresses beyond
// text: svg, video, zip, even gzip.
func TestCompressPredicate(t *testing.T) {
	text := bytes.Repeat([]byte("compress me please "), 50)
	for _, ct := range []string{"image/svg+xml", "video/mp4", "application/zip", "application/gzip", "application/octet-stream", ""} {
		r := &httpevent.Response{Status: 200, Header: textproto.MIMEHeader{"Content-Type": {ct}}, Body: append([]byte(nil), text...)}
		if !httpevent.Compress("x-gzip", r) {
			t.Errorf("%q: not compressed", ct)
		}
	}
}

// TestIsText: lambda_http's rules, and the lossless exceptions.
func TestIsText(t *testing.T) {
	for _, c := range []struct {
		h    textproto.MIMEHeader
		body string
		text bool
	}{
		{textproto.MIMEHeader{"Content-Type": {"application/x-www-form-urlencoded"}}, "a=1", false},
		{textproto.MIMEHeader{"Content-Type": {"application/x-yaml"}}, "a: 1", false},
		{textproto.MIMEHeader{"Content-Type": {"application/yaml"}}, "a: 1", true},
		{textproto.MIMEHeader{"Content-Type": {"application/json-seq"}}, "{}", true},
		{textproto.MIMEHeader{"Content-Type": {"application/vnd.api+json; charset=utf-8"}}, "{}", true},
		{textproto.MIMEHeader{"Content-Type": {"Text/Plain"}}, "x", false}, // prefixes compare as written
		{textproto.MIMEHeader{"Content-Type": {"text/plain"}, "Content-Encoding": {"identity"}}, "x", false},
		{textproto.MIMEHeader{"Content-Type": {"image/png"}, "X-Lambda-Http-Content-Encoding": {"text"}}, "x", true},
		{textproto.MIMEHeader{}, "x", true},
		{textproto.MIMEHeader{}, "\xff", false},
		{textproto.MIMEHeader{"Content-Type": {"text/plain; charset=iso-8859-1"}}, "caf\xe9", false},
	} {
		if got := httpevent.IsText(c.h, []byte(c.body)); got != c.text {
			t.Errorf("%v %q: text %v, want %v", c.h, c.body, got, c.text)
		}
	}
}

// TestLatticeResponse: Lattice's shape, with the canonical reason.
func TestLatticeResponse(t *testing.T) {
	out := httpevent.Encode(&httpevent.Request{Kind: httpevent.LatticeV2}, &httpevent.Response{Status: 207, Header: textproto.MIMEHeader{"X-A": {"1", "2"}}, Body: []byte("ok")})
	var r map[string]any
	decode(t, out, &r)
	if r["statusDescription"] != "207 Multi-Status" || r["headers"].(map[string]any)["x-a"] != "1, 2" || r["body"] != "ok" || len(r) != 5 {
		t.Errorf("%s", out)
	}
}
