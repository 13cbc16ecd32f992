package httpevent_test

import (
	"testing"

	"github.com/faas-runtime/faas-runtime/runtime/httpevent"
)

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
