package httpevent

import (
	"bytes"
	"compress/gzip"
	"strings"
)

// MinCompressSize is the smallest body worth compressing (tower-http's
// SizeAbove::DEFAULT_MIN_SIZE, which the adapter uses).
const MinCompressSize = 32

// Compress gzips a buffered response body (AWS_LWA_ENABLE_COMPRESSION) as
// the adapter's tower-http CompressionLayer does (tower-http 0.6.8,
// src/compression/predicate.rs DefaultPredicate and future.rs): bodies of
// 32 bytes or more, except images (but image/svg+xml), gRPC and
// server-sent events, compared as written; never a body that already has
// a Content-Encoding or a Content-Range. Everything else is compressed,
// video/mp4 and application/zip included. Vary: Accept-Encoding is added
// whenever the body qualifies; Content-Length and Accept-Ranges go when
// it is compressed.
//
// The adapter also offers brotli and prefers it when the client accepts
// both; the only pure-Go encoder imports net/http, which the bootstrap
// must not link, so faas-runtime answers br-only clients uncompressed
// (size cost: OPTIMIZATION.md, ## http mode).
func Compress(acceptEncoding string, resp *Response) bool {
	h := resp.Header
	if len(resp.Body) < MinCompressSize || h.Get("Content-Encoding") != "" || h.Get("Content-Range") != "" {
		return false
	}
	ct := h.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "image/") && ct != "image/svg+xml",
		strings.HasPrefix(ct, "application/grpc"), strings.HasPrefix(ct, "text/event-stream"):
		return false
	}
	if !strings.Contains(strings.ToLower(strings.Join(h["Vary"], ",")), "accept-encoding") {
		h.Add("Vary", "Accept-Encoding")
	}
	if !prefersGzip(acceptEncoding) {
		return false
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.DefaultCompression)
	_, _ = zw.Write(resp.Body)
	_ = zw.Close()
	resp.Body = b.Bytes()
	h.Set("Content-Encoding", "gzip")
	h.Del("Content-Length")
	h.Del("Accept-Ranges")
	return true
}

// prefersGzip reads Accept-Encoding as tower-http does
// (src/content_encoding.rs): gzip or x-gzip with a q-value above zero and
// at least that of identity; unknown codings, "*" included, are ignored, as
// is a coding whose q-value does not parse. br is skipped: see Compress.
func prefersGzip(ae string) bool {
	gz, id := -1, -1
	for _, part := range strings.Split(ae, ",") {
		name, param, hasQ := strings.Cut(part, ";")
		q := 1000
		if hasQ {
			var ok bool
			if q, ok = parseQ(strings.TrimSpace(param)); !ok {
				continue
			}
		}
		switch name = strings.TrimSpace(name); {
		case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
			gz = max(gz, q)
		case strings.EqualFold(name, "identity"):
			id = max(id, q)
		}
	}
	return gz > 0 && gz >= id
}

// parseQ reads "q=0.8" as an integer 0 to 1000, as tower-http's QValue.
func parseQ(s string) (int, bool) {
	if len(s) < 3 || (s[0] != 'q' && s[0] != 'Q') || s[1] != '=' {
		return 0, false
	}
	s = s[2:]
	v := 0
	switch s[0] {
	case '0':
	case '1':
		v = 1000
	default:
		return 0, false
	}
	s = s[1:]
	if s == "" {
		return v, true
	}
	if s[0] != '.' || len(s) > 4 {
		return 0, false
	}
	factor := 100
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v += factor * int(c-'0')
		factor /= 10
	}
	return v, v <= 1000
}
