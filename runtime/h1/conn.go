package h1

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/textproto"
	"strconv"
)

const (
	bufSize   = 16 << 10 // per-connection read and write buffers
	chunkSize = 32 << 10 // largest chunk sent of a chunked request body
)

// conn is one connection with its buffers, reused across requests.
type conn struct {
	nc    net.Conn  // nil in parser tests
	raw   io.Reader // nc, or a test reader
	lim   int64     // bytes left for the header being read; < 0: no limit
	br    *bufio.Reader
	bw    *bufio.Writer
	tp    textproto.Reader
	chunk []byte // scratch for chunked request bodies, made on first use
	abort func()
	probe *idleProbe
	// unused: dialled ahead by Client.Connect, no request sent on it yet.
	unused bool
}

func newConn(nc net.Conn) *conn {
	cn := &conn{nc: nc}
	cn.init(nc)
	cn.bw = bufio.NewWriterSize(nc, bufSize)
	cn.abort = func() { nc.Close() }
	cn.probe = newIdleProbe(nc)
	return cn
}

func (c *conn) init(r io.Reader) {
	c.raw = r
	c.lim = -1
	c.br = bufio.NewReaderSize(c, bufSize)
	c.tp.R = c.br
}

// Read feeds the bufio.Reader, enforcing MaxHeaderBytes while a header is
// read: textproto has no limit of its own.
func (c *conn) Read(p []byte) (int, error) {
	if c.lim >= 0 {
		if c.lim == 0 {
			return 0, ErrHeaderTooLarge
		}
		if int64(len(p)) > c.lim {
			p = p[:c.lim]
		}
	}
	n, err := c.raw.Read(p)
	if c.lim >= 0 {
		c.lim -= int64(n)
	}
	return n, err
}

func (c *conn) close() {
	if c.nc != nil {
		c.nc.Close()
	}
}

// bodyError is a failure of the request's Body reader, not of the
// connection: never retried.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return "reading request body: " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

var errShortBody = errors.New("request body shorter than ContentLength")

func (c *conn) writeRequest(req *Request, host string) error {
	w := c.bw
	w.WriteString(req.Method)
	w.WriteByte(' ')
	w.WriteString(req.Path)
	w.WriteString(" HTTP/1.1\r\nHost: ")
	w.WriteString(host)
	w.WriteString("\r\n")
	writeFields(w, req.Header, true)
	switch {
	case req.ContentLength < 0:
		w.WriteString("Transfer-Encoding: chunked\r\n")
	case req.Body != nil || req.Method == "POST" || req.Method == "PUT" || req.Method == "PATCH":
		w.WriteString("Content-Length: ")
		w.Write(strconv.AppendInt(w.AvailableBuffer(), req.ContentLength, 10))
		w.WriteString("\r\n")
	}
	w.WriteString("\r\n")

	var err error
	switch {
	case req.ContentLength < 0:
		err = c.writeChunked(req)
	case req.ContentLength > 0:
		err = writeBody(w, req.Body, req.ContentLength)
	}
	if err != nil {
		return err
	}
	return w.Flush()
}

func writeFields(w *bufio.Writer, h textproto.MIMEHeader, skipFraming bool) {
	for k, vs := range h {
		if skipFraming && framing(k) {
			continue
		}
		for _, v := range vs {
			w.WriteString(k)
			w.WriteString(": ")
			w.WriteString(v)
			w.WriteString("\r\n")
		}
	}
}

// writeBody copies exactly n bytes of body. A *bytes.Reader of the right
// length goes out in one write; other readers are read straight into the
// bufio.Writer's free space, so no copy buffer is allocated.
func writeBody(w *bufio.Writer, body io.Reader, n int64) error {
	if br, ok := body.(*bytes.Reader); ok && int64(br.Len()) == n {
		_, err := br.WriteTo(w)
		return err
	}
	for n > 0 {
		if w.Available() == 0 {
			if err := w.Flush(); err != nil {
				return err
			}
		}
		p := w.AvailableBuffer()
		p = p[:min(int64(cap(p)), n)]
		k, err := body.Read(p)
		if k > 0 {
			// Writing a slice of the free space to itself only advances
			// the buffer.
			if _, werr := w.Write(p[:k]); werr != nil {
				return werr
			}
			n -= int64(k)
		}
		if err == io.EOF {
			if n > 0 {
				return &bodyError{errShortBody}
			}
			break
		}
		if err != nil {
			return &bodyError{err}
		}
	}
	return nil
}

// writeChunked sends Body as chunks, flushing each one as soon as Body
// yields it (a streamed response must reach the peer as it is produced),
// then the last chunk and the trailers.
func (c *conn) writeChunked(req *Request) error {
	w := c.bw
	if req.Body != nil {
		if c.chunk == nil {
			c.chunk = make([]byte, chunkSize)
		}
		for {
			k, err := req.Body.Read(c.chunk)
			if k > 0 {
				w.Write(strconv.AppendInt(w.AvailableBuffer(), int64(k), 16))
				w.WriteString("\r\n")
				w.Write(c.chunk[:k])
				w.WriteString("\r\n")
				if ferr := w.Flush(); ferr != nil {
					return ferr
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				// The body stays unterminated: the peer sees a
				// truncated message, not a complete one.
				return &bodyError{err}
			}
		}
	}
	w.WriteString("0\r\n")
	if req.Trailer != nil {
		tr := req.Trailer()
		if err := checkFields("trailer", tr, nil); err != nil {
			return err
		}
		writeFields(w, tr, false)
	}
	w.WriteString("\r\n")
	return nil
}
