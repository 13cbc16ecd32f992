package telemetry

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/platform"
)

// destination is an extension's HTTP listener: it keeps every batch.
type destination struct {
	mu      sync.Mutex
	batches [][]map[string]any
	block   chan struct{} // when set, requests wait on it
}

func (d *destination) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d.block != nil {
		<-d.block
	}
	var batch []map[string]any
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &batch); err == nil {
		d.mu.Lock()
		d.batches = append(d.batches, batch)
		d.mu.Unlock()
	}
}

func (d *destination) events(types ...string) (n int, batches int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, b := range d.batches {
		for _, ev := range b {
			for _, t := range types {
				if ev["type"] == t {
					n++
				}
			}
		}
	}
	return n, len(d.batches)
}

func subscribe(t *testing.T, h *Hub, d *destination, buffering string) {
	t.Helper()
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	body := fmt.Sprintf(`{"schemaVersion":"2022-12-13","types":["platform","function"],"buffering":%s,"destination":{"protocol":"HTTP","URI":"http://sandbox.localdomain:%s/"}}`, buffering, port)
	if code, b := h.Subscribe(PathTelemetry, "ext", []byte(body)); code != 200 {
		t.Fatalf("subscribe: %d %s", code, b)
	}
	t.Cleanup(h.Reset)
}

// Batches hold at most maxItems events; a part batch goes out once
// timeoutMs has passed.
func TestBuffering(t *testing.T) {
	h, d := NewHub(), &destination{}
	subscribe(t, h, d, `{"maxItems":25,"maxBytes":262144,"timeoutMs":100}`)
	for i := range 60 {
		h.Publish(platform.Event{Time: time.Now(), Type: platform.TypeFunction, Record: fmt.Sprint("line ", i)})
	}
	deadline := time.Now().Add(5 * time.Second)
	for n, _ := d.events(platform.TypeFunction); n < 60 && time.Now().Before(deadline); n, _ = d.events(platform.TypeFunction) {
		time.Sleep(10 * time.Millisecond)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	total := 0
	for _, b := range d.batches {
		if len(b) > 25 {
			t.Errorf("a batch of %d events, maxItems 25", len(b))
		}
		for _, ev := range b {
			if ev["type"] == platform.TypeFunction {
				total++
			}
		}
	}
	if total != 60 || len(d.batches) < 3 {
		t.Fatalf("%d function events in %d batches, want 60 in at least 3", total, len(d.batches))
	}
}

// A subscriber that does not keep up loses events beyond what waits for
// it, and is told so with platform.logsDropped.
func TestLogsDropped(t *testing.T) {
	h, d := NewHub(), &destination{block: make(chan struct{})}
	subscribe(t, h, d, `{"timeoutMs":25}`)
	for i := range queueMax + 2000 {
		h.Publish(platform.Event{Time: time.Now(), Type: platform.TypeFunction, Record: fmt.Sprint("line ", i)})
	}
	close(d.block)
	h.Flush(5 * time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for n, _ := d.events(platform.TypeLogsDropped); n == 0 && time.Now().Before(deadline); n, _ = d.events(platform.TypeLogsDropped) {
		h.Flush(time.Second)
		time.Sleep(10 * time.Millisecond)
	}
	if n, _ := d.events(platform.TypeLogsDropped); n == 0 {
		t.Fatal("no platform.logsDropped after more events than the queue holds")
	}
}

// Subscriptions outside Lambda's limits are refused with 400.
func TestSubscriptionLimits(t *testing.T) {
	h := NewHub()
	for _, body := range []string{
		`not json`,
		`{"types":["metrics"],"destination":{"protocol":"HTTP","URI":"http://sandbox.localdomain:1/"}}`,
		`{"types":["platform"],"buffering":{"maxItems":24},"destination":{"protocol":"HTTP","URI":"http://sandbox.localdomain:1/"}}`,
		`{"types":["platform"],"buffering":{"maxBytes":1048577},"destination":{"protocol":"HTTP","URI":"http://sandbox.localdomain:1/"}}`,
		`{"types":["platform"],"buffering":{"timeoutMs":30001},"destination":{"protocol":"HTTP","URI":"http://sandbox.localdomain:1/"}}`,
		`{"types":["platform"],"destination":{"protocol":"TCP","URI":"http://sandbox.localdomain:1/"}}`,
		`{"types":["platform"],"destination":{"protocol":"HTTP","URI":"ftp://x/"}}`,
	} {
		if code, b := h.Subscribe(PathTelemetry, "ext", []byte(body)); code != 400 {
			t.Errorf("%s: %d %s, want 400", body, code, b)
		}
	}
	if h.Active() {
		t.Fatal("a refused subscription was kept")
	}
}
