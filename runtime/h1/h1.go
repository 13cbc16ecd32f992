// Package h1 is a minimal HTTP/1.1 client for plain-text connections to one
// known host:port.
//
// It exists for binary size. The bootstrap only ever speaks plain HTTP/1.1
// to the Lambda Runtime API on a local address and, in http mode, to the
// user's web app on 127.0.0.1. Importing net/http for that links its whole
// client anyway — crypto/tls, x509, the FIPS module, HTTP/2 — about 3 MB of
// a static binary that never encrypts a byte. This package needs only net,
// bufio and net/textproto (whose header parser it reuses).
//
// It does keep-alive with a small idle pool, Content-Length, chunked (both
// ways, with trailers) and close-delimited bodies, context cancellation and
// one retry of a replayable request on a reused connection that turned out
// to be dead. It does not do TLS, proxies, redirects, compression, cookies,
// HTTP/2, 100-continue or protocol upgrades.
package h1

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"time"
)

// MaxHeaderBytes bounds a response's status line and header (and, apart,
// its trailer): a peer cannot make the client buffer more.
const MaxHeaderBytes = 1 << 20

var (
	// ErrInvalidHeader is returned, wrapped and naming the field, for a
	// header name or value (or method, request target, Host, trailer) with
	// CR, LF, NUL or another byte HTTP does not allow there. Such a request
	// is never sent: that is how header injection is stopped.
	ErrInvalidHeader = errors.New("invalid header field name or value")
	// ErrHeaderTooLarge is returned for a response header or trailer over
	// MaxHeaderBytes.
	ErrHeaderTooLarge = errors.New("response header exceeds 1 MiB")
)

// DialError means the connection could not be made at all, so the request
// never left: callers may retry it.
type DialError struct{ Err error }

func (e *DialError) Error() string { return "" + e.Err.Error() }
func (e *DialError) Unwrap() error { return e.Err }

// Client keeps persistent connections to one host:port. It is safe for
// concurrent use; each request in flight has its own connection.
type Client struct {
	Addr        string        // host:port
	MaxIdle     int           // idle connections kept for reuse (default 1)
	DialTimeout time.Duration // default 2s

	mu   sync.Mutex
	idle []*conn
}

// Request is one HTTP/1.1 request.
type Request struct {
	Method string
	Path   string // request-target, e.g. "/x?y=1"
	Host   string // Host header; default Client.Addr
	// Header has canonical keys; may be nil. Host, Content-Length and
	// Transfer-Encoding in it are ignored: the client frames the message.
	Header textproto.MIMEHeader
	// Body is nil for no body. It is read up to ContentLength bytes; a
	// *bytes.Reader or *strings.Reader can be replayed on a retry.
	Body io.Reader
	// ContentLength >= 0 is the known length; -1 sends the body with
	// chunked transfer encoding, flushing each chunk as Body yields it.
	ContentLength int64
	// Trailer, with a chunked body, is called after Body's EOF and its
	// fields are sent as trailers.
	Trailer func() textproto.MIMEHeader
	// Sent, if set, is called once the request is on the wire, before its
	// response is read (again if it is sent again on a fresh connection).
	Sent func()
}

// Response is a response's status, header and body.
type Response struct {
	StatusCode int
	Status     string // e.g. "202 Accepted"
	Header     textproto.MIMEHeader
	// Body is delimited by Content-Length, chunked encoding, or the end of
	// the connection. It must be closed. Close returns the connection to
	// the idle pool only if the body was read to EOF and the connection is
	// reusable; otherwise it closes the connection.
	Body io.ReadCloser
	// Trailer is filled when a chunked Body reaches EOF.
	Trailer textproto.MIMEHeader
}

// CloseIdleConnections closes the connections kept for reuse.
func (c *Client) CloseIdleConnections() {
	c.mu.Lock()
	idle := c.idle
	c.idle = nil
	c.mu.Unlock()
	for _, cn := range idle {
		cn.close()
	}
}

// Connect dials a connection and keeps it for the next request, unless
// MaxIdle connections are idle already. It lets a caller set up the
// connection while it waits for something else (http mode dials the
// Runtime API while the web app starts).
func (c *Client) Connect(ctx context.Context) error {
	cn, _, err := c.getConn(ctx, true)
	if err != nil {
		return err
	}
	cn.unused = true
	c.put(cn)
	return nil
}

// Do sends req and reads the response header. Cancelling ctx aborts a
// blocked Do or a blocked read of the response body (the connection is
// then closed). An idle connection the server has closed is noticed before
// use where the platform allows (Linux, macOS) and dropped. On a reused
// connection that still turns out dead, a request with a nil or replayable
// Body is sent once more on a fresh connection — if it failed while being
// written, or if its method is idempotent; any other request fails.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	host := req.Host
	if host == "" {
		host = c.Addr
	}
	if err := validateRequest(req, host); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, c.opErr(req, err)
	}
	pos, replayable := bodyPos(req.Body)
	for retried := false; ; retried = true {
		cn, reused, err := c.getConn(ctx, retried) // a retry always dials
		if err != nil {
			return nil, err
		}
		resp, err, dead := c.roundTrip(ctx, cn, req, host)
		if err == nil {
			return resp, nil
		}
		if !dead || !reused || !replayable || retried || ctx.Err() != nil {
			return nil, err
		}
		if err := rewind(req.Body, pos); err != nil {
			return nil, c.opErr(req, err)
		}
	}
}

func (c *Client) opErr(req *Request, err error) error {
	return fmt.Errorf("%s http://%s%s: %w", req.Method, c.Addr, req.Path, err)
}

// bodyPos reports whether body can be sent again, and from where.
func bodyPos(body io.Reader) (int64, bool) {
	switch b := body.(type) {
	case nil:
		return 0, true
	case *bytes.Reader:
		p, _ := b.Seek(0, io.SeekCurrent)
		return p, true
	case *strings.Reader:
		p, _ := b.Seek(0, io.SeekCurrent)
		return p, true
	}
	return 0, false
}

func rewind(body io.Reader, pos int64) error {
	if s, ok := body.(io.Seeker); ok {
		_, err := s.Seek(pos, io.SeekStart)
		return err
	}
	return nil
}

// probeIdle is off only in tests that need a dead connection to reach Do.
var probeIdle = true

func (c *Client) getConn(ctx context.Context, fresh bool) (*conn, bool, error) {
	for !fresh {
		c.mu.Lock()
		n := len(c.idle)
		if n == 0 {
			c.mu.Unlock()
			break
		}
		cn := c.idle[n-1]
		c.idle[n-1] = nil
		c.idle = c.idle[:n-1]
		c.mu.Unlock()
		if !probeIdle || cn.probe.usable() {
			// A connection from Connect has carried nothing yet: its
			// failure is a fresh connection's, not retried.
			reused := !cn.unused
			cn.unused = false
			return cn, reused, nil
		}
		cn.close() // closed by the server while idle: nothing was sent on it
	}
	timeout := c.DialTimeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	nc, ok, err := dialLoopback(c.Addr, timeout)
	if !ok {
		// No TCP keep-alive: the peers are local (the Runtime API, the web
		// app), whose end shows as a reset, and Lambda freezes the sandbox
		// between invocations anyway. It spares four setsockopt calls on
		// the way to the first /next.
		d := net.Dialer{Timeout: timeout, KeepAlive: -1}
		nc, err = d.DialContext(ctx, "tcp", c.Addr)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, fmt.Errorf("dial %s: %w", c.Addr, ctx.Err())
		}
		return nil, false, &DialError{Err: err}
	}
	return newConn(nc), false, nil
}

// put keeps cn for reuse, or closes it when the pool is full.
func (c *Client) put(cn *conn) {
	max := c.MaxIdle
	if max <= 0 {
		max = 1
	}
	c.mu.Lock()
	if len(c.idle) < max {
		c.idle = append(c.idle, cn)
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	cn.close()
}

// roundTrip runs one attempt on cn. dead reports that cn failed before any
// byte of a response arrived, so a replayable request may be sent again.
func (c *Client) roundTrip(ctx context.Context, cn *conn, req *Request, host string) (resp *Response, err error, dead bool) {
	var stop func() bool
	if ctx.Done() != nil {
		// The one extra cost of cancellation: no goroutine, a callback
		// that closes the connection and so unblocks any read or write.
		stop = context.AfterFunc(ctx, cn.abort)
	}
	fail := func(err error, dead bool) (*Response, error, bool) {
		if stop != nil {
			stop()
		}
		cn.close()
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, c.opErr(req, err), dead
	}

	if werr := cn.writeRequest(req, host); werr != nil {
		var be *bodyError
		if ctx.Err() != nil || errors.As(werr, &be) || errors.Is(werr, ErrInvalidHeader) {
			return fail(werr, false)
		}
		// The server may have answered and stopped reading, as net/http
		// servers do with 413 for a body too large: return that answer
		// rather than the broken pipe. The connection is not reused.
		if cn.nc != nil {
			_ = cn.nc.SetReadDeadline(time.Now().Add(time.Second))
		}
		cn.lim = -1
		resp, rerr := cn.readResponse(ctx, req.Method, true, nil, stop)
		if rerr != nil {
			return fail(fmt.Errorf("writing request: %w", werr), true)
		}
		return resp, nil, false
	}
	if req.Sent != nil {
		req.Sent()
	}
	cn.lim = MaxHeaderBytes // the response's first byte counts too
	if _, err := cn.br.Peek(1); err != nil {
		// The whole request went out: the server may have acted on it
		// before the connection died. Like net/http, send it again only if
		// doing so twice is harmless — never a POST of someone's event.
		return fail(fmt.Errorf("reading response: %w", err), idempotent(req.Method))
	}
	resp, err = cn.readResponse(ctx, req.Method, hasToken(req.Header["Connection"], "close"), c, stop)
	if err != nil {
		return fail(err, false)
	}
	return resp, nil, false
}

// idempotent methods may be sent twice (RFC 9110, 9.2.2), as net/http's
// Transport also assumes.
func idempotent(method string) bool {
	switch method {
	case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE":
		return true
	}
	return false
}

// hasToken reports whether a comma-separated header contains tok.
func hasToken(values []string, tok string) bool {
	for _, v := range values {
		for v != "" {
			var part string
			part, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(strings.TrimSpace(part), tok) {
				return true
			}
		}
	}
	return false
}
