package httpevent_test

import (
	"net/textproto"
	"testing"

	"github.com/faas-runtime/faas-runtime/runtime/httpevent"
)

// TestHopHeadersBothWays: one hop-by-hop list applies to the request to the
// app and to the response from it, with the fields Connection names.
func TestHopHeadersBothWays(t *testing.T) {
	hop := map[string]string{"connection": "x-conn", "x-conn": "1", "keep-alive": "timeout=5", "proxy-connection": "keep-alive",
		"te": "trailers", "trailer": "x-t", "upgrade": "websocket", "proxy-authenticate": "Basic"}
	e := V2Event()
	e.Headers = map[string]string{"x-kept": "1", "proxy-authorization": "Basic Zm9v"}
	for k, v := range hop {
		e.Headers[k] = v
	}
	r := translate(t, e, nil)
	resp := textproto.MIMEHeader{"X-Kept": {"1"}}
	for k, v := range hop {
		resp[textproto.CanonicalMIMEHeaderKey(k)] = []string{v}
	}
	out := httpevent.CleanHeader(resp)
	for k := range hop {
		ck := textproto.CanonicalMIMEHeaderKey(k)
		if _, ok := r.Header[ck]; ok {
			t.Errorf("request: %s forwarded", ck)
		}
		if _, ok := out[ck]; ok {
			t.Errorf("response: %s forwarded", ck)
		}
	}
	if r.Header.Get("X-Kept") != "1" || r.Header.Get("Proxy-Authorization") == "" || out.Get("X-Kept") != "1" {
		t.Errorf("end-to-end headers dropped: request %v, response %v", r.Header, out)
	}
}
