package invokeapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// serveStreamInvoke is InvokeWithResponseStream:
// POST /2021-11-15/functions/{name}/response-streaming-invocations
// (https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html).
// The answer is 200 with an application/vnd.amazon.eventstream body: one
// PayloadChunk event per chunk of the response as the runtime streams it
// (a buffered response is one chunk), then InvokeComplete with ErrorCode,
// ErrorDetails and, with X-Amz-Log-Type: Tail, LogResult. The framing is
// the AWS SDK's own encoder (aws/protocol/eventstream), so what the SDKs
// decode is what is sent. RequestResponse and DryRun only, as in Lambda.
func (a *API) serveStreamInvoke(w http.ResponseWriter, r *http.Request) {
	req, ok := a.accept(w, r, RequestResponse, DryRun)
	if !ok {
		return
	}
	f, payload, opts := req.f, req.payload, req.opts
	opts.LogTail = r.Header.Get(headerLogType) == "Tail"
	es := &eventStream{w: w}
	opts.Stream = es
	res, err := f.Invoker.Invoke(r.Context(), payload, opts)
	if errors.Is(err, emulator.ErrRequestIDInUse) && !es.started {
		renderServiceError(w, http.StatusConflict, ErrResourceConflict, opts.RequestID+": "+err.Error())
		return
	}
	if err != nil {
		if !es.started {
			renderServiceError(w, http.StatusInternalServerError, ErrService, err.Error())
		}
		return
	}
	if !res.Streamed && !res.Failed() && len(res.Body) > 0 {
		_, _ = es.Write(res.Body)
	}
	var done invokeComplete
	if res.Failed() {
		done.ErrorCode = res.ErrorType
		done.ErrorDetails = errorMessage(res.Body)
	}
	if opts.LogTail {
		done.LogResult = base64.StdEncoding.EncodeToString(res.LogTail)
	}
	b, _ := json.Marshal(done)
	es.event("InvokeComplete", "application/json", b)
}

// invokeComplete is the InvokeComplete event's payload.
type invokeComplete struct {
	ErrorCode    string `json:",omitempty"`
	ErrorDetails string `json:",omitempty"`
	LogResult    string `json:",omitempty"`
}

// errorMessage is a Lambda error body's errorMessage, else the body.
func errorMessage(body []byte) string {
	var e api.Error
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		return e.Message
	}
	return string(body)
}

// eventStream writes event-stream messages, the 200 header with the first
// and each flushed at once, for the runtime's chunks as they arrive.
type eventStream struct {
	w       http.ResponseWriter
	mu      sync.Mutex
	enc     *eventstream.Encoder
	started bool
}

// Write sends p as one PayloadChunk event.
func (s *eventStream) Write(p []byte) (int, error) {
	if err := s.event("PayloadChunk", "application/octet-stream", p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush is a no-op: every event is flushed as it is written.
func (s *eventStream) Flush() {}

func (s *eventStream) event(typ, contentType string, payload []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		s.started = true
		s.enc = eventstream.NewEncoder()
		h := s.w.Header()
		h.Set("Content-Type", "application/vnd.amazon.eventstream")
		h.Set(headerExecutedVersion, latest)
		s.w.WriteHeader(http.StatusOK)
	}
	var hs eventstream.Headers
	hs.Set(":event-type", eventstream.StringValue(typ))
	hs.Set(":message-type", eventstream.StringValue("event"))
	hs.Set(":content-type", eventstream.StringValue(contentType))
	if err := s.enc.Encode(s.w, eventstream.Message{Headers: hs, Payload: payload}); err != nil {
		return err
	}
	if f, ok := s.w.(http.Flusher); ok {
		f.Flush()
	}
	return nil
}
