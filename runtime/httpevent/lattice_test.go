package httpevent_test

import (
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/httpevent"
)

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
	if _, err := httpevent.Translate(inv([]byte(`{"version":"3.0","path":"/","method":"GET","requestContext":{"serviceArn":"s"}}`)), opts); api.TypeOf(err) != httpevent.ErrTypeUnknownShape {
		t.Errorf("Lattice version 3.0: %v", err)
	}
}
