package httpevent_test

import (
	"net/textproto"
	"testing"

	"github.com/faas-runtime/faas-runtime/runtime/httpevent"
)

// BenchmarkTranslate and BenchmarkEncode are the per-invocation CPU cost of
// http mode's translation, for the warm round trip budget.
func BenchmarkTranslate(b *testing.B) {
	payload := mustJSON(b, V2Event())
	in := inv(payload)
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := httpevent.Translate(in, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	req := &httpevent.Request{Kind: httpevent.APIGatewayV2}
	body := []byte(`{"method":"GET","path":"/echo","query":"x=1","headers":{"Accept-Encoding":["gzip"],"X-Test":["t"]},"body":""}`)
	h := textproto.MIMEHeader{"Content-Type": {"application/json"}, "Content-Length": {"120"}, "Date": {"Mon, 23 Nov 2026 14:02:31 GMT"}}
	b.ReportAllocs()
	for b.Loop() {
		httpevent.Encode(req, &httpevent.Response{Status: 200, Header: h, Body: body})
	}
}
