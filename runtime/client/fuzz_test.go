package client

import (
	"net/textproto"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// FuzzParseInvocation feeds arbitrary /next headers: parsing never panics,
// and an accepted request id is always safe to put in a request path.
func FuzzParseInvocation(f *testing.F) {
	f.Add("8476a536-e9f4-11e8-9739-2dfe598c3fcd", "1542409706888", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1")
	f.Add("", "", "")
	f.Add("../x", "-1", "")
	f.Add("id with space", "99999999999999999999999", "\r\n")
	f.Add("a/b?c#d", "12.5", "x")
	f.Fuzz(func(t *testing.T, id, deadline, trace string) {
		h := textproto.MIMEHeader{}
		h.Set(api.HeaderRequestID, id)
		h.Set(api.HeaderDeadlineMs, deadline)
		h.Set(api.HeaderTraceID, trace)
		inv, err := parseInvocation(h, []byte("{}"))
		if err != nil {
			return
		}
		if inv.RequestID == "" || strings.ContainsAny(inv.RequestID, "/?# \r\n\t%") || inv.RequestID == ".." {
			t.Fatalf("accepted an unsafe request id %q", inv.RequestID)
		}
		if p := api.ResponsePath(inv.RequestID); !strings.HasPrefix(p, api.PathInvoke) || strings.Count(p, "/") != strings.Count(api.ResponsePath("x"), "/") {
			t.Fatalf("request id %q changes the path shape: %s", inv.RequestID, p)
		}
		if deadline != "" && inv.DeadlineMs == 0 && deadline != "0" && strings.TrimLeft(deadline, "+-0") != "" {
			t.Fatalf("deadline %q accepted as 0", deadline)
		}
	})
}
