// Package telemetry is Lambda's Telemetry API (2022-07-01) and Logs API
// (2020-08-15) for the emulator: extensions subscribe to event types
// (platform, function, extension) with a buffering configuration, and get
// batches of events POSTed to their HTTP destination, as these pages
// describe them:
//
//	https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api-reference.html
//	https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html
//	https://docs.aws.amazon.com/lambda/latest/dg/runtimes-logs-api.html
//
// The events themselves are package platform's.
package telemetry

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/platform"
)

// The two APIs' paths (PUT, with the extension's identifier header).
const (
	PathTelemetry = "/2022-07-01/telemetry"
	PathLogs      = "/2020-08-15/logs"
)

// Hub is one execution environment's subscriptions.
type Hub struct {
	count atomic.Int32 // subscribers, read without the lock on every event
	mu    sync.Mutex
	subs  []*subscriber
	// During init, platform events are kept for extensions that subscribe
	// later in it, as Lambda delivers the init phase's events to them.
	init    atomic.Bool
	backlog []platform.Event
}

// maxBacklog bounds the init events kept.
const maxBacklog = 64

// BeginInit starts a new execution environment: its subscriptions end and
// its init events are kept for the next ones.
func (h *Hub) BeginInit() {
	h.Reset()
	h.mu.Lock()
	h.backlog = nil
	h.mu.Unlock()
	h.init.Store(true)
}

// EndInit stops keeping events for later subscribers.
func (h *Hub) EndInit() {
	if h.init.Swap(false) {
		h.mu.Lock()
		h.backlog = nil
		h.mu.Unlock()
	}
}

// Wanted reports whether an event would reach anyone: a subscriber, or
// the init backlog. The sandbox builds no events otherwise.
func (h *Hub) Wanted() bool { return h.count.Load() > 0 || h.init.Load() }

// NewHub returns a hub without subscribers.
func NewHub() *Hub { return &Hub{} }

// Subscription is a subscription request's body, the same for both APIs
// (the Logs API has no schemaVersion).
type Subscription struct {
	SchemaVersion string   `json:"schemaVersion"`
	Types         []string `json:"types"`
	Buffering     struct {
		MaxItems  *int `json:"maxItems"`
		MaxBytes  *int `json:"maxBytes"`
		TimeoutMs *int `json:"timeoutMs"`
	} `json:"buffering"`
	Destination struct {
		Protocol string `json:"protocol"`
		URI      string `json:"URI"`
	} `json:"destination"`
}

// Subscribe takes extension ext's subscription request for api (PathTelemetry
// or PathLogs) and returns the HTTP status and body to answer with: 200
// with "OK", or 400 with Lambda's error shape.
func (h *Hub) Subscribe(api, ext string, body []byte) (int, []byte) {
	var req Subscription
	if err := json.Unmarshal(body, &req); err != nil {
		return refuse("InvalidRequest", "could not parse the subscription request: "+err.Error())
	}
	s := &subscriber{ext: ext, logsAPI: api == PathLogs, types: map[string]bool{}, maxItems: 1000, maxBytes: 262144, timeout: time.Second}
	minItems := 25
	if s.logsAPI {
		s.maxItems, minItems = 10000, 1000 // the Logs API's default and minimum
	}
	// An extension subscribes through one of the two APIs: "any attempt
	// to subscribe with the other API returns an error" (Logs API page).
	h.mu.Lock()
	for _, o := range h.subs {
		if o.ext == ext && o.logsAPI != s.logsAPI {
			h.mu.Unlock()
			return refuse("InvalidRequest", "extension "+ext+" already subscribed through the other API (Telemetry API or Logs API)")
		}
	}
	h.mu.Unlock()
	for _, t := range req.Types {
		switch t {
		case platform.CategoryPlatform, platform.CategoryFunction, platform.CategoryExtension:
			s.types[t] = true
		default:
			return refuse("ValidationError", fmt.Sprintf("types: %q is not one of platform, function, extension", t))
		}
	}
	if len(s.types) == 0 {
		return refuse("ValidationError", "types: at least one of platform, function, extension")
	}
	b := req.Buffering
	if v := b.MaxItems; v != nil {
		if *v < minItems || *v > 10000 {
			return refuse("ValidationError", fmt.Sprintf("buffering.maxItems %d: want %d to 10000", *v, minItems))
		}
		s.maxItems = *v
	}
	if v := b.MaxBytes; v != nil {
		if *v < 262144 || *v > 1048576 {
			return refuse("ValidationError", fmt.Sprintf("buffering.maxBytes %d: want 262144 to 1048576", *v))
		}
		s.maxBytes = *v
	}
	if v := b.TimeoutMs; v != nil {
		if *v < 25 || *v > 30000 {
			return refuse("ValidationError", fmt.Sprintf("buffering.timeoutMs %d: want 25 to 30000", *v))
		}
		s.timeout = time.Duration(*v) * time.Millisecond
	}
	if req.Destination.Protocol != "HTTP" {
		// TCP delivery is not emulated.
		return refuse("ValidationError", fmt.Sprintf("destination.protocol %q: only HTTP is served here", req.Destination.Protocol))
	}
	u, err := url.Parse(req.Destination.URI)
	if err != nil || u.Scheme != "http" || u.Port() == "" {
		return refuse("ValidationError", fmt.Sprintf("destination.URI %q: want http://sandbox.localdomain:PORT/PATH", req.Destination.URI))
	}
	// sandbox.localdomain is the extension's own host inside Lambda; here
	// it is this machine's loopback.
	if host := u.Hostname(); host == "sandbox.localdomain" || host == "sandbox" {
		u.Host = "127.0.0.1:" + u.Port()
	}
	s.uri = u.String()
	s.start()
	h.mu.Lock()
	h.subs = append(h.subs, s)
	h.count.Store(int32(len(h.subs)))
	backlog := h.backlog
	h.mu.Unlock()
	if s.types[platform.CategoryPlatform] {
		for _, ev := range backlog {
			s.publish(ev)
		}
	}
	s.publish(platform.Event{Time: time.Now(), Type: platform.TypeSubscription, Record: map[string]any{
		"name": ext, "state": "Subscribed", "types": req.Types}})
	return http.StatusOK, []byte("OK")
}

func refuse(typ, msg string) (int, []byte) {
	b, _ := json.Marshal(map[string]string{"errorType": typ, "errorMessage": msg})
	return http.StatusBadRequest, b
}

// Active reports whether anyone is subscribed: the sandbox builds no
// events otherwise.
func (h *Hub) Active() bool { return h.count.Load() > 0 }

// Publish hands ev to every subscriber of its category. It never blocks:
// a subscriber whose buffer is full loses the event, and is told with
// platform.logsDropped.
func (h *Hub) Publish(ev platform.Event) {
	if !h.Wanted() {
		return
	}
	h.mu.Lock()
	subs := h.subs
	if h.init.Load() && ev.Category() == platform.CategoryPlatform && len(h.backlog) < maxBacklog {
		h.backlog = append(h.backlog, ev)
	}
	h.mu.Unlock()
	for _, s := range subs {
		if s.types[ev.Category()] {
			s.publish(ev)
		}
	}
}

// Flush delivers what every subscriber holds and waits for it (or until
// the deadline), as Lambda does before SHUTDOWN.
func (h *Hub) Flush(deadline time.Duration) {
	h.mu.Lock()
	subs := h.subs
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range subs {
		wg.Go(func() { s.flush(deadline) })
	}
	wg.Wait()
}

// Reset ends every subscription: a new execution environment starts
// without any.
func (h *Hub) Reset() {
	h.mu.Lock()
	subs := h.subs
	h.subs = nil
	h.count.Store(0)
	h.mu.Unlock()
	for _, s := range subs {
		s.stop()
	}
}

// Lines splits written output into log lines and publishes each as an
// event of type typ (platform.TypeFunction or TypeExtension): a line that
// is one JSON object (a JSON-format logger's) as that object, else as a
// string, as Lambda delivers them.
type Lines struct {
	hub     *Hub
	typ     string
	mu      sync.Mutex
	partial []byte
}

// NewLines returns a line splitter publishing to h.
func NewLines(h *Hub, typ string) *Lines { return &Lines{hub: h, typ: typ} }

// Write takes output; only complete lines are published.
func (l *Lines) Write(p []byte) (int, error) {
	if !l.hub.Active() {
		return len(p), nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := strings.IndexByte(string(l.partial), '\n')
		if i < 0 {
			break
		}
		line := strings.TrimRight(string(l.partial[:i]), "\r")
		l.partial = l.partial[i+1:]
		var rec any = line
		if strings.HasPrefix(line, "{") && json.Valid([]byte(line)) {
			rec = json.RawMessage(line)
		}
		l.hub.Publish(platform.Event{Time: time.Now(), Type: l.typ, Record: rec})
	}
	if len(l.partial) > 256<<10 { // a line that never ends goes out in pieces
		l.hub.Publish(platform.Event{Time: time.Now(), Type: l.typ, Record: string(l.partial)})
		l.partial = nil
	}
	return len(p), nil
}
