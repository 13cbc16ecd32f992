package invokeapi

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
)

// AsyncConfig is the function's asynchronous invocation configuration
// (PutFunctionEventInvokeConfig:
// https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html)
// and its destinations, here directories.
type AsyncConfig struct {
	// MaxRetryAttempts is how often a failed event is retried: 0 to 2,
	// Lambda's default 2. Use -1 for 0 (the zero value means the default).
	MaxRetryAttempts int
	// MaxEventAge is how long an event may wait for a (re)try: 60 s to
	// 6 h, Lambda's default 6 h.
	MaxEventAge time.Duration
	// RetryDelay is the wait before the first retry; the second waits
	// twice as long. Lambda waits 1 minute, then 2 ("Error handling and
	// automatic retries in Lambda"); a shorter one is a local shortcut.
	RetryDelay time.Duration
	// OnFailure and OnSuccess are directories that receive a destination
	// record per event that finally failed or succeeded; "" for none.
	OnFailure, OnSuccess string
	// Queue bounds the events waiting, so that serve's memory stays
	// bounded: beyond it Lambda's 429 TooManyRequestsException answers.
	Queue int
}

const (
	defaultRetries    = 2
	defaultEventAge   = 6 * time.Hour
	defaultRetryDelay = time.Minute
	defaultQueue      = 1000
)

func (c *AsyncConfig) check() error {
	switch {
	case c.MaxRetryAttempts == 0:
		c.MaxRetryAttempts = defaultRetries
	case c.MaxRetryAttempts < 0:
		c.MaxRetryAttempts = 0
	case c.MaxRetryAttempts > 2:
		return fmt.Errorf("maximum retry attempts %d: Lambda allows 0 to 2", c.MaxRetryAttempts)
	}
	if c.MaxEventAge == 0 {
		c.MaxEventAge = defaultEventAge
	}
	if c.MaxEventAge < time.Minute || c.MaxEventAge > 6*time.Hour {
		return fmt.Errorf("maximum event age %s: Lambda allows 60s to 6h", c.MaxEventAge)
	}
	if c.RetryDelay <= 0 {
		c.RetryDelay = defaultRetryDelay
	}
	if c.Queue <= 0 {
		c.Queue = defaultQueue
	}
	for _, d := range []string{c.OnFailure, c.OnSuccess} {
		if d == "" {
			continue
		}
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			return fmt.Errorf("destination %s: not a directory", d)
		}
	}
	return nil
}

// asyncQueue is one function's queue of asynchronous events, worked off by
// one goroutine per event (bounded by Queue), each invoking through the
// function's environments, which take them as they have room.
type asyncQueue struct {
	f     *function
	cfg   AsyncConfig
	slots chan struct{}
	ctx   context.Context
	stop  context.CancelFunc
	wg    sync.WaitGroup
}

func newAsyncQueue(f *function, cfg AsyncConfig) *asyncQueue {
	ctx, stop := context.WithCancel(context.Background())
	return &asyncQueue{f: f, cfg: cfg, slots: make(chan struct{}, cfg.Queue), ctx: ctx, stop: stop}
}

func (q *asyncQueue) close() {
	q.stop()
	q.wg.Wait()
}

// enqueue takes an event; the caller answers 202.
func (q *asyncQueue) enqueue(payload []byte, opts emulator.InvokeOptions) *Refusal {
	select {
	case q.slots <- struct{}{}:
	default:
		return &Refusal{429, ErrTooManyRequests, fmt.Sprintf("Rate Exceeded: %d asynchronous events already waiting", q.cfg.Queue)}
	}
	opts.ClientContext = "" // Lambda passes ClientContext for synchronous invocations only
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		defer func() { <-q.slots }()
		q.run(payload, opts, time.Now())
	}()
	return nil
}

// run invokes an event until it succeeds or its retries or its age run
// out, then writes its destination record. Every attempt keeps the
// event's request id, as Lambda's do.
func (q *asyncQueue) run(payload []byte, opts emulator.InvokeOptions, queued time.Time) {
	var res *emulator.Result
	var err error
	attempts := 0
	condition := "RetriesExhausted"
	for try := 0; try <= q.cfg.MaxRetryAttempts; try++ {
		if try > 0 {
			wait := q.cfg.RetryDelay * time.Duration(try) // 1, then 2 units
			if time.Since(queued)+wait > q.cfg.MaxEventAge {
				condition = "EventAgeExceeded"
				break
			}
			select {
			case <-time.After(wait):
			case <-q.ctx.Done():
				return
			}
		}
		attempts++
		res, err = q.f.Invoker.Invoke(q.ctx, payload, opts)
		if err == nil && !res.Failed() {
			q.record(q.cfg.OnSuccess, "Success", opts.RequestID, attempts, payload, res)
			return
		}
		if q.ctx.Err() != nil {
			return
		}
	}
	q.record(q.cfg.OnFailure, condition, opts.RequestID, attempts, payload, res)
}

// record writes a destination record, as Lambda sends one to an
// on-success or on-failure destination ("Capturing records of Lambda
// asynchronous invocations",
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html),
// to dir/<requestId>.json, whole or not at all.
func (q *asyncQueue) record(dir, condition, requestID string, attempts int, payload []byte, res *emulator.Result) {
	if dir == "" {
		return
	}
	rec := destinationRecord{Version: "1.0", Timestamp: time.Now().UTC().Format("2006-01-02T15:04:05.000Z")}
	rec.RequestContext.RequestID = requestID
	rec.RequestContext.FunctionArn = q.f.arn + ":" + latest
	rec.RequestContext.Condition = condition
	rec.RequestContext.ApproximateInvokeCount = attempts
	rec.RequestPayload = jsonOrString(payload)
	if res != nil {
		rec.ResponseContext = &responseContext{StatusCode: 200, ExecutedVersion: latest}
		if res.Failed() {
			rec.ResponseContext.FunctionError = emulator.ErrTypeUnhandled
		}
		rec.ResponsePayload = jsonOrString(res.Body)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, ".record-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(append(b, '\n'))
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, requestID+".json")); err != nil {
		os.Remove(tmp.Name())
	}
}

type destinationRecord struct {
	Version        string `json:"version"`
	Timestamp      string `json:"timestamp"`
	RequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionArn            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	RequestPayload  json.RawMessage  `json:"requestPayload"`
	ResponseContext *responseContext `json:"responseContext,omitempty"`
	ResponsePayload json.RawMessage  `json:"responsePayload,omitempty"`
}

type responseContext struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	FunctionError   string `json:"functionError,omitempty"`
}

// jsonOrString embeds b as JSON when it is, else as a JSON string.
func jsonOrString(b []byte) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	if json.Valid(b) {
		return json.RawMessage(b)
	}
	s, _ := json.Marshal(string(b))
	return s
}
