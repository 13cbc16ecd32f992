package httpmode

// SnapStart in http mode, as AWS Lambda Web Adapter does it since 1.1.0
// (aws-lambda-web-adapter PRs #790 and #837, src/snapstart.rs): the app
// gets two optional HTTP hooks, AWS_LWA_SNAPSTART_BEFORE_CHECKPOINT_PATH
// and AWS_LWA_SNAPSTART_AFTER_RESTORE_PATH, each an empty POST; a non-2xx
// answer or a failed connection fails the phase. After a restore: first
// no connection from before the snapshot is used again, then the
// after-restore hook, then the readiness check, every restore, bounded by
// AWS_LWA_READINESS_CHECK_TIMEOUT_SECONDS when set. Like the adapter's
// final version the hooks have no deadline of their own (its post_hook is
// "deliberately unbounded": Lambda bounds both phases). Event traffic to
// the hook paths is answered 403 without reaching the app.

import (
	"bytes"
	"context"
	"io"
	"net/textproto"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/h1"
	"github.com/faas-runtime/faas-runtime/runtime/httpevent"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
)

// BeforeCheckpoint POSTs the before-checkpoint hook, once the app is
// ready (init waited for it: under SnapStart async init is off).
func (m *Mode) BeforeCheckpoint(ctx context.Context) error {
	if m.cfg.BeforeCheckpointPath == "" {
		return nil
	}
	if err := m.readyFor(ctx, "before-checkpoint"); err != nil {
		return err
	}
	return m.postHook(ctx, m.cfg.BeforeCheckpointPath)
}

// AfterRestore drops the kept-alive connections to the app (a restored
// copy must not share one captured in the snapshot), POSTs the
// after-restore hook, and checks readiness again.
func (m *Mode) AfterRestore(ctx context.Context) error {
	m.app.CloseIdleConnections()
	if m.probe != m.app {
		m.probe.CloseIdleConnections()
	}
	if m.cfg.AfterRestorePath != "" {
		if err := m.postHook(ctx, m.cfg.AfterRestorePath); err != nil {
			return err
		}
	}
	return m.readyFor(ctx, "after-restore")
}

// readyFor waits for the readiness check, within the configured bound.
func (m *Mode) readyFor(ctx context.Context, phase string) error {
	m.startMu.Lock()
	defer m.startMu.Unlock()
	m.mu.Lock()
	c := m.cur
	m.mu.Unlock()
	wctx := ctx
	if t := m.cfg.ReadinessTimeout; t > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, t)
		defer cancel()
	}
	if err := m.waitReady(wctx, c); err != nil {
		if c.dead() {
			return api.Errorf(api.ErrTypeExit, "%s", c.describe())
		}
		if ctx.Err() == nil {
			return m.notReadyWithin("SnapStart "+phase, m.cfg.ReadinessTimeout, c)
		}
		return err
	}
	return nil
}

func (m *Mode) postHook(ctx context.Context, path string) error {
	resp, err := m.app.Do(ctx, &h1.Request{Method: "POST", Path: path, Body: bytes.NewReader(nil), ContentLength: 0})
	if err != nil {
		return api.Errorf(modes.ErrTypeSnapStartHook, "SnapStart hook POST %s: %v", path, err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return api.Errorf(modes.ErrTypeSnapStartHook, "SnapStart hook POST %s returned status %d: %s", path, resp.StatusCode, bytes.TrimSpace(body))
	}
	m.log.Info("SnapStart hook done", "path", path, "status", resp.StatusCode)
	return nil
}

// isHookPath reports an HTTP event for one of the hook paths: those are
// for the runtime to call, not for callers through API Gateway, ALB or a
// function URL.
func (m *Mode) isHookPath(req *httpevent.Request) bool {
	if req.Kind == httpevent.PassThrough {
		return false
	}
	p := req.Path
	return p != "" && (p == m.cfg.BeforeCheckpointPath || p == m.cfg.AfterRestorePath)
}

// forbidden is the 403 for an event to a hook path, in the event
// source's shape (or streamed, in response_stream mode).
func (m *Mode) forbidden(req *httpevent.Request) modes.Response {
	out := &httpevent.Response{Status: 403, Header: textproto.MIMEHeader{"Content-Type": {"text/plain"}}, Body: []byte("Forbidden")}
	if m.cfg.Streaming {
		body := io.MultiReader(bytes.NewReader(httpevent.Prelude(out)), bytes.NewReader(out.Body))
		return modes.Response{Stream: io.NopCloser(body), ContentType: api.ContentTypeHTTPIntegration}
	}
	return modes.Response{Body: httpevent.Encode(req, out), ContentType: "application/json"}
}
