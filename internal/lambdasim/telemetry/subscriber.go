package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/platform"
)

// queueMax bounds the events waiting for a subscriber; beyond it they are
// dropped and counted, as Lambda drops what an extension cannot take.
const queueMax = 10000

// subscriber is one extension's subscription: events queue up and go out
// in batches (a JSON array POSTed to its URI) when maxItems or maxBytes is
// reached or timeout has passed since the batch's first event.
type subscriber struct {
	ext      string
	logsAPI  bool // subscribed through the Logs API: its older record shapes
	types    map[string]bool
	maxItems int
	maxBytes int
	timeout  time.Duration
	uri      string

	mu           sync.Mutex
	queue        []json.RawMessage
	bytes        int
	first        time.Time // when the oldest queued event came
	dropped      int
	droppedBytes int
	wake         chan struct{}
	flushed      chan chan struct{}
	ctx          context.Context
	cancel       context.CancelFunc
	done         chan struct{}
}

func (s *subscriber) start() {
	s.wake = make(chan struct{}, 1)
	s.flushed = make(chan chan struct{})
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.done = make(chan struct{})
	go s.run()
}

func (s *subscriber) publish(ev platform.Event) {
	if s.logsAPI {
		for _, e := range logsAPIEvents(ev) {
			s.queueEvent(e)
		}
		return
	}
	s.queueEvent(ev)
}

func (s *subscriber) queueEvent(ev platform.Event) {
	b, err := json.Marshal(ev)
	if err != nil {
		return
	}
	s.mu.Lock()
	if len(s.queue) >= queueMax {
		s.dropped++
		s.droppedBytes += len(b)
		s.mu.Unlock()
		return
	}
	if len(s.queue) == 0 {
		s.first = time.Now()
	}
	s.queue = append(s.queue, b)
	s.bytes += len(b)
	full := len(s.queue) >= s.maxItems || s.bytes >= s.maxBytes
	s.mu.Unlock()
	if full || len(s.wake) == 0 {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// run sends batches as they come due.
func (s *subscriber) run() {
	defer close(s.done)
	timer := time.NewTimer(s.timeout)
	defer timer.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case ack := <-s.flushed:
			for s.send(true) {
			}
			close(ack)
			continue
		case <-s.wake:
		case <-timer.C:
		}
		for s.send(false) {
		}
		s.mu.Lock()
		wait := s.timeout
		if len(s.queue) > 0 {
			wait = time.Until(s.first.Add(s.timeout))
		}
		s.mu.Unlock()
		timer.Reset(max(wait, time.Millisecond))
	}
}

// send posts one batch if one is due (or any, with all), and reports
// whether it sent one.
func (s *subscriber) send(all bool) bool {
	s.mu.Lock()
	if s.dropped > 0 {
		b, _ := json.Marshal(platform.Event{Time: time.Now(), Type: platform.TypeLogsDropped, Record: platform.LogsDropped{
			Reason:         "Some logs were dropped because the downstream consumer is slower than the logs production rate",
			DroppedRecords: s.dropped, DroppedBytes: s.droppedBytes}})
		s.queue = append(s.queue, b)
		s.dropped, s.droppedBytes = 0, 0
	}
	due := len(s.queue) > 0 && (all || len(s.queue) >= s.maxItems || s.bytes >= s.maxBytes || time.Since(s.first) >= s.timeout)
	if !due {
		s.mu.Unlock()
		return false
	}
	n, size := 0, 2
	for n < len(s.queue) && n < s.maxItems && (n == 0 || size+len(s.queue[n])+1 <= s.maxBytes) {
		size += len(s.queue[n]) + 1
		n++
	}
	batch := s.queue[:n:n]
	s.queue = append([]json.RawMessage(nil), s.queue[n:]...)
	s.bytes -= size - 2 - n
	s.first = time.Now()
	s.mu.Unlock()
	body, _ := json.Marshal(batch)
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, s.uri, bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	// An extension that does not take a batch loses it, as in Lambda
	// after its retries; the emulator does not retry.
	return true
}

// flush delivers everything queued, waiting at most d.
func (s *subscriber) flush(d time.Duration) {
	ack := make(chan struct{})
	select {
	case s.flushed <- ack:
	case <-s.done:
		return
	case <-time.After(d):
		return
	}
	select {
	case <-ack:
	case <-time.After(d):
	}
}

func (s *subscriber) stop() {
	s.cancel()
	<-s.done
}
