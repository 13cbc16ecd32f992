package httpevent_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/textproto"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/httpevent"
)

// FuzzTranslate: whatever the event, Translate either refuses it with one
// of its error types or yields a request that is safe to write on the wire.
// Seeds: testdata/fuzz/FuzzTranslate (one per event shape and bad input).
func FuzzTranslate(f *testing.F) {
	f.Fuzz(func(t *testing.T, payload []byte) {
		r, err := httpevent.Translate(inv(payload), &httpevent.Options{RemoveBasePath: "/api", AuthorizationSource: "x-auth"})
		if err != nil {
			var ae *api.Error
			if !errors.As(err, &ae) || !strings.HasPrefix(ae.Type, "Runtime.") || ae.Message == "" {
				t.Fatalf("error %v is not a typed *api.Error", err)
			}
			return
		}
		if !isToken(r.Method) {
			t.Fatalf("method %q", r.Method)
		}
		target := r.Target()
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \t\r\n\x00#") {
			t.Fatalf("request-target %q", target)
		}
		if strings.ContainsAny(r.Host, "\r\n\x00 /") {
			t.Fatalf("host %q", r.Host)
		}
		for k, vs := range r.Header {
			if !isToken(k) || k != textproto.CanonicalMIMEHeaderKey(k) {
				t.Fatalf("header name %q", k)
			}
			for _, v := range vs {
				if strings.ContainsAny(v, "\r\n\x00\x7f") {
					t.Fatalf("header %s value %q", k, v)
				}
			}
		}
		for _, k := range []string{httpevent.HeaderLambdaContext, httpevent.HeaderRequestContext} {
			if vs := r.Header[k]; len(vs) != 1 || !json.Valid([]byte(vs[0])) {
				t.Fatalf("%s = %q", k, vs)
			}
		}
		for _, k := range []string{"Content-Length", "Transfer-Encoding", "Connection", "Host"} {
			if _, ok := r.Header[k]; ok {
				t.Fatalf("framing header %s forwarded", k)
			}
		}
		if r.Kind == httpevent.PassThrough && !bytes.Equal(r.Body, payload) {
			t.Fatal("pass-through body changed")
		}
	})
}

// FuzzEncode: whatever the app answers, the Lambda response is valid JSON
// of the event source's shape that carries the body back exactly, without
// hop-by-hop headers or control characters. The header argument is
// "Name: value" lines.
func FuzzEncode(f *testing.F) {
	f.Fuzz(func(t *testing.T, kind uint8, multi bool, status int, header string, body []byte) {
		h := textproto.MIMEHeader{}
		for _, line := range strings.Split(header, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok {
				h[k] = append(h[k], strings.TrimSpace(v))
			}
		}
		req := &httpevent.Request{Kind: httpevent.Kind(kind % 5), MultiValue: multi}
		out := httpevent.Encode(req, &httpevent.Response{Status: status, Header: h, Body: body})
		if !json.Valid(out) {
			t.Fatalf("invalid JSON: %q", out)
		}
		if req.Kind == httpevent.PassThrough {
			return
		}
		var r struct {
			StatusCode        int                 `json:"statusCode"`
			Headers           map[string]string   `json:"headers"`
			MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
			Cookies           []string            `json:"cookies"`
			Body              string              `json:"body"`
			IsBase64Encoded   bool                `json:"isBase64Encoded"`
		}
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		got := []byte(r.Body)
		if r.IsBase64Encoded {
			var err error
			if got, err = base64.StdEncoding.DecodeString(r.Body); err != nil {
				t.Fatal(err)
			}
		} else if !utf8.Valid(body) {
			t.Fatal("invalid UTF-8 sent as a JSON string")
		}
		if !bytes.Equal(got, body) && (len(got) > 0 || len(body) > 0) {
			t.Fatalf("body %q, want %q", got, body)
		}
		check := func(k, v string) {
			if strings.ContainsAny(k, "\r\n\x00 :") || strings.ContainsAny(v, "\r\n\x00") {
				t.Fatalf("header %q: %q", k, v)
			}
			switch k {
			case "connection", "transfer-encoding", "keep-alive", "upgrade", "te", "trailer":
				t.Fatalf("hop-by-hop header %s forwarded", k)
			}
		}
		for k, v := range r.Headers {
			check(k, v)
		}
		for k, vs := range r.MultiValueHeaders {
			for _, v := range vs {
				check(k, v)
			}
		}
		for _, c := range r.Cookies {
			check("set-cookie", c)
		}
	})
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
