package h1

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
)

// FuzzReadResponse feeds arbitrary bytes to the response parser and body
// readers. Besides not panicking, a response that both this parser and
// net/http's accept in full must agree on status and body: net/http is the
// reference the hand-written framing code is checked against.
func FuzzReadResponse(f *testing.F) {
	// More seeds are in testdata/fuzz/FuzzReadResponse.
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), false)
	f.Fuzz(func(t *testing.T, data []byte, head bool) {
		method := "GET"
		if head {
			method = "HEAD"
		}
		c := &conn{}
		c.init(bytes.NewReader(data))
		resp, err := c.readResponse(context.Background(), method, false, nil, nil)
		if err != nil {
			return
		}
		if resp.StatusCode < 200 || resp.StatusCode > 999 || len(resp.Status) < 3 {
			t.Fatalf("accepted status %d %q", resp.StatusCode, resp.Status)
		}
		body, berr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if head && len(body) > 0 {
			t.Fatalf("HEAD response yielded %d body bytes", len(body))
		}
		if berr != nil {
			return
		}
		ref, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(data)), &http.Request{Method: method})
		if err != nil || ref.StatusCode < 200 {
			return // net/http returns 1xx responses to the caller
		}
		refBody, err := io.ReadAll(io.LimitReader(ref.Body, 1<<20))
		if err != nil {
			return
		}
		if ref.StatusCode != resp.StatusCode || !bytes.Equal(refBody, body) {
			t.Fatalf("net/http read %d %q, h1 read %d %q", ref.StatusCode, refBody, resp.StatusCode, body)
		}
		if resp.Trailer != nil {
			for k, v := range resp.Trailer {
				if rv := ref.Trailer[k]; len(rv) != len(v) {
					t.Fatalf("trailer %s: net/http %q, h1 %q", k, rv, v)
				}
			}
		}
	})
}
