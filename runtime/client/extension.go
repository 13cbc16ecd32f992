package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/textproto"
	"strings"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/h1"
)

// Extension is the extension side of the Lambda Extensions API: what
// faas-runtime needs when Lambda starts it from /opt/extensions, as it
// starts AWS Lambda Web Adapter. Register must come first; its identifier
// goes with every later call. Like Client it is used by one goroutine at a
// time (NextEvent parks on its own connection).
type Extension struct {
	h  h1.Client
	id string
}

// NewExtension returns an Extensions API client for host:port.
func NewExtension(endpoint string) *Extension {
	return &Extension{h: h1.Client{Addr: endpoint, MaxIdle: 1, DialTimeout: 2 * time.Second}}
}

// Register announces the extension under name (Lambda requires the
// executable's file name) for the given events (INVOKE, SHUTDOWN).
func (x *Extension) Register(ctx context.Context, name string, events []string) error {
	if events == nil {
		events = []string{}
	}
	body, _ := json.Marshal(map[string][]string{"events": events})
	h := textproto.MIMEHeader{"Content-Type": {"application/json"}, api.HeaderExtensionName: {name}}
	answer, err := x.post(ctx, "extension register", api.PathExtensionRegister, h, body, 200)
	if err != nil {
		return err
	}
	if x.id = answer.Get(api.HeaderExtensionID); x.id == "" {
		return &StatusError{Op: "extension register", Status: 200, Body: "no " + api.HeaderExtensionID + " header in the answer"}
	}
	return nil
}

// NextEvent blocks until Lambda sends an event the extension registered
// for. With none registered it blocks until the sandbox ends.
func (x *Extension) NextEvent(ctx context.Context) (*api.ExtensionEvent, error) {
	h := textproto.MIMEHeader{api.HeaderExtensionID: {x.id}}
	resp, err := x.h.Do(ctx, &h1.Request{Method: "GET", Path: api.PathExtensionNext, Header: h})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, connErr(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, &ConnError{err}
	}
	if resp.StatusCode != 200 {
		return nil, &StatusError{Op: "extension next", Status: resp.StatusCode, Body: string(body)}
	}
	var ev api.ExtensionEvent
	if err := json.Unmarshal(body, &ev); err != nil || ev.EventType == "" {
		return nil, &StatusError{Op: "extension next", Status: resp.StatusCode, Body: fmt.Sprintf("not an extension event: %.200q", body)}
	}
	return &ev, nil
}

// InitError reports that the extension cannot start; Lambda fails the
// init with e's type. The caller exits afterwards.
func (x *Extension) InitError(ctx context.Context, e *api.Error) error {
	return x.reportError(ctx, "extension init error", api.PathExtensionInitError, e)
}

func (x *Extension) reportError(ctx context.Context, op, path string, e *api.Error) error {
	body := e.JSON()
	h := textproto.MIMEHeader{"Content-Type": {"application/json"}, api.HeaderExtensionID: {x.id}}
	if typ := headerSafe(e.Type); typ != "" {
		h[api.HeaderExtensionErrorType] = []string{typ}
	}
	_, err := x.post(ctx, op, path, h, body, 202)
	return err
}

// post sends body to path and returns the answer's headers; an answer
// other than want is a *StatusError with what it said.
func (x *Extension) post(ctx context.Context, op, path string, h textproto.MIMEHeader, body []byte, want int) (textproto.MIMEHeader, error) {
	resp, err := x.h.Do(ctx, &h1.Request{Method: "POST", Path: path, Header: h,
		Body: bytes.NewReader(body), ContentLength: int64(len(body))})
	if err != nil {
		return nil, connErr(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != want {
		return nil, &StatusError{Op: op, Status: resp.StatusCode, Body: strings.TrimSpace(string(answer))}
	}
	return resp.Header, nil
}
