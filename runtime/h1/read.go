package h1

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strings"
)

// maxInformational bounds the 1xx responses skipped before the final one.
const maxInformational = 16

var (
	errMalformedChunk = errors.New("malformed chunked encoding")
	errBodyClosed     = errors.New("read on a closed response body")
)

// ProtocolError is a response the client cannot parse.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return "malformed response: " + e.Msg }

func protoErr(format string, args ...any) error {
	return &ProtocolError{Msg: fmt.Sprintf(format, args...)}
}

// response holds a Response and its body in one allocation.
type response struct {
	Response
	body body
}

// readResponse parses the status line and header of the final response
// (skipping 1xx ones) and sets up its body. reqClose forces the connection
// to close afterwards; pool (nil: never reuse) receives it back when the
// body is done; stop unregisters the cancellation callback. On error the
// caller closes the connection.
func (c *conn) readResponse(ctx context.Context, method string, reqClose bool, pool *Client, stop func() bool) (*Response, error) {
	if c.lim < 0 {
		c.lim = MaxHeaderBytes // unless the caller started counting earlier
	}
	r := new(response)
	var proto11 bool
	for n := 0; ; n++ {
		line, err := c.tp.ReadLine()
		if err != nil {
			return nil, headerErr("status line", err)
		}
		if proto11, err = parseStatusLine(line, &r.Response); err != nil {
			return nil, err
		}
		if r.Header, err = c.tp.ReadMIMEHeader(); err != nil {
			return nil, headerErr("header", err)
		}
		if r.StatusCode >= 200 {
			break
		}
		if r.StatusCode == 101 {
			return nil, protoErr("101 Switching Protocols without an upgrade request")
		}
		if n == maxInformational {
			return nil, protoErr("more than %d informational responses", maxInformational)
		}
	}
	c.lim = -1

	h := r.Header
	conn := h["Connection"]
	keep := !reqClose && ((proto11 && !hasToken(conn, "close")) || (!proto11 && hasToken(conn, "keep-alive")))
	b := &r.body
	*b = body{c: c, ctx: ctx, resp: &r.Response, pool: pool, stop: stop, keep: keep}
	te, cl := h["Transfer-Encoding"], h["Content-Length"]
	if !proto11 && len(te) > 0 {
		// RFC 9112 6.1: an HTTP/1.0 message with Transfer-Encoding has
		// faulty framing. Like net/http, ignore the field, and close.
		te, b.keep = nil, false
	}
	switch {
	case method == "HEAD" || r.StatusCode == 204 || r.StatusCode == 304:
		b.mode = modeLength
	case len(te) > 0:
		if len(te) != 1 || !strings.EqualFold(strings.TrimSpace(te[0]), "chunked") {
			return nil, protoErr("unsupported Transfer-Encoding %q", strings.Join(te, ", "))
		}
		b.mode = modeChunked
		if len(cl) > 0 {
			b.keep = false // RFC 9112 6.3: both present, close afterwards
		}
	case len(cl) > 0:
		n, err := parseContentLength(cl)
		if err != nil {
			return nil, err
		}
		b.mode, b.n = modeLength, n
	default:
		b.mode, b.keep = modeClose, false
	}
	if b.mode == modeLength && b.n == 0 {
		b.finish()
		r.Body = noBody{}
	} else {
		r.Body = b
	}
	return &r.Response, nil
}

func headerErr(what string, err error) error {
	switch {
	case errors.Is(err, ErrHeaderTooLarge):
		return err
	case err == io.EOF && what == "status line":
		return io.EOF // callers see the connection closed before a response
	case err == io.EOF:
		return fmt.Errorf("reading %s: %w", what, io.ErrUnexpectedEOF)
	}
	var pe textproto.ProtocolError
	if errors.As(err, &pe) {
		return protoErr("%s: %v", what, err)
	}
	return fmt.Errorf("reading %s: %w", what, err)
}

// parseStatusLine reads "HTTP/1.1 200 OK" into r.
func parseStatusLine(line string, r *Response) (proto11 bool, err error) {
	if len(line) < 12 || line[8] != ' ' || (len(line) > 12 && line[12] != ' ') {
		return false, protoErr("status line %q", trunc(line))
	}
	switch line[:8] {
	case "HTTP/1.1":
		proto11 = true
	case "HTTP/1.0":
	default:
		return false, protoErr("unsupported protocol %q", trunc(line[:8]))
	}
	code := 0
	for i := 9; i < 12; i++ {
		d := line[i]
		if d < '0' || d > '9' {
			return false, protoErr("status code %q", trunc(line[9:12]))
		}
		code = code*10 + int(d-'0')
	}
	if code < 100 {
		return false, protoErr("status code %d", code)
	}
	r.StatusCode, r.Status = code, line[9:]
	return proto11, nil
}

func trunc(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// parseContentLength accepts repeated values only when they agree.
func parseContentLength(vs []string) (int64, error) {
	first := strings.TrimSpace(vs[0])
	for _, v := range vs[1:] {
		if strings.TrimSpace(v) != first {
			return 0, protoErr("conflicting Content-Length values")
		}
	}
	if first == "" || len(first) > 18 {
		return 0, protoErr("Content-Length %q", trunc(first))
	}
	var n int64
	for i := 0; i < len(first); i++ {
		d := first[i]
		if d < '0' || d > '9' {
			return 0, protoErr("Content-Length %q", trunc(first))
		}
		n = n*10 + int64(d-'0')
	}
	return n, nil
}

const (
	modeLength = iota
	modeChunked
	modeClose
)

// body reads one response body and then hands the connection back.
type body struct {
	c    *conn
	ctx  context.Context
	resp *Response
	pool *Client
	stop func() bool
	mode uint8
	keep bool
	done bool  // the connection was released or closed
	n    int64 // bytes left: of the body (modeLength) or current chunk
	err  error // sticky: io.EOF at the end, or the failure
}

type noBody struct{}

func (noBody) Read([]byte) (int, error) { return 0, io.EOF }
func (noBody) Close() error             { return nil }

func (b *body) Read(p []byte) (n int, err error) {
	if b.err != nil {
		return 0, b.err
	}
	switch b.mode {
	case modeLength:
		if b.n == 0 {
			b.finish()
			return 0, io.EOF
		}
		if int64(len(p)) > b.n {
			p = p[:b.n]
		}
		n, err = b.c.br.Read(p)
		b.n -= int64(n)
		if b.n == 0 && (err == nil || err == io.EOF) {
			b.finish()
			return n, io.EOF
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
	case modeChunked:
		n, err = b.readChunked(p)
		if err == io.EOF {
			return n, err
		}
	case modeClose:
		n, err = b.c.br.Read(p)
		if err == io.EOF {
			b.finish()
			return n, io.EOF
		}
	}
	if err != nil {
		b.fail(err)
		return n, b.err
	}
	return n, nil
}

func (b *body) readChunked(p []byte) (int, error) {
	if b.n == 0 {
		size, err := b.c.readChunkSize()
		if err != nil {
			return 0, err
		}
		if size == 0 {
			if err := b.readTrailer(); err != nil {
				return 0, err
			}
			b.finish()
			return 0, io.EOF
		}
		b.n = size
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.c.br.Read(p)
	b.n -= int64(n)
	if err == io.EOF {
		return n, io.ErrUnexpectedEOF
	}
	if b.n == 0 && err == nil {
		err = b.c.readCRLF()
	}
	return n, err
}

func (b *body) readTrailer() error {
	if p, err := b.c.br.Peek(2); err == nil && p[0] == '\r' && p[1] == '\n' {
		b.c.br.Discard(2) // the common case: no trailer
		return nil
	}
	b.c.lim = MaxHeaderBytes
	tr, err := b.c.tp.ReadMIMEHeader()
	b.c.lim = -1
	if err != nil {
		return headerErr("trailer", err)
	}
	if len(tr) > 0 {
		b.resp.Trailer = tr
	}
	return nil
}

func (c *conn) readChunkSize() (int64, error) {
	line, err := c.br.ReadSlice('\n')
	switch {
	case err == bufio.ErrBufferFull:
		return 0, protoErr("chunk size line too long")
	case err == io.EOF:
		return 0, io.ErrUnexpectedEOF
	case err != nil:
		return 0, err
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return 0, errMalformedChunk
	}
	line = line[:len(line)-2]
	for i, ch := range line {
		if ch == ';' {
			line = line[:i] // chunk extensions are ignored
			break
		}
	}
	for len(line) > 0 && (line[len(line)-1] == ' ' || line[len(line)-1] == '\t') {
		line = line[:len(line)-1]
	}
	if len(line) == 0 || len(line) > 15 { // 15 hex digits: fits an int64
		return 0, errMalformedChunk
	}
	var n int64
	for _, ch := range line {
		var d byte
		switch {
		case '0' <= ch && ch <= '9':
			d = ch - '0'
		case 'a' <= ch && ch <= 'f':
			d = ch - 'a' + 10
		case 'A' <= ch && ch <= 'F':
			d = ch - 'A' + 10
		default:
			return 0, errMalformedChunk
		}
		n = n<<4 | int64(d)
	}
	return n, nil
}

func (c *conn) readCRLF() error {
	p, err := c.br.Peek(2)
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	if err != nil {
		return err
	}
	if p[0] != '\r' || p[1] != '\n' {
		return errMalformedChunk
	}
	c.br.Discard(2)
	return nil
}

// finish ends a fully read body: the connection goes back to the pool if
// it can carry another request, else it is closed.
func (b *body) finish() {
	b.err = io.EOF
	if b.done {
		return
	}
	b.done = true
	stopped := b.stop == nil || b.stop()
	if b.keep && stopped && b.pool != nil && b.c.br.Buffered() == 0 {
		b.pool.put(b.c)
		return
	}
	b.c.close()
}

// fail ends a body on a read error: the connection is closed, and a
// cancelled context is reported as such rather than as the closed socket.
func (b *body) fail(err error) {
	if b.ctx != nil && b.ctx.Err() != nil {
		err = b.ctx.Err()
	}
	err = fmt.Errorf("reading response body: %w", err)
	b.err = err
	b.release()
}

func (b *body) release() {
	if b.done {
		return
	}
	b.done = true
	if b.stop != nil {
		b.stop()
	}
	b.c.close()
}

// Close releases the connection: back to the pool after EOF, closed when
// the body was not read to the end.
func (b *body) Close() error {
	if b.err == nil {
		b.err = errBodyClosed
	}
	b.release()
	return nil
}
