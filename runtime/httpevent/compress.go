package httpevent

import (
	"bytes"
	"compress/gzip"
	"strconv"
	"strings"
)

// MinCompressSize is the smallest body worth compressing (tower-http's
// default, which the adapter uses).
const MinCompressSize = 32

// Compress gzips a buffered response body when the client accepts gzip
// and the body is worth it (AWS_LWA_ENABLE_COMPRESSION). It leaves alone
// bodies already encoded, images and other compressed media, event streams
// and gRPC. Brotli is not offered: see OPTIMIZATION.md (## http mode) for
// what a pure-Go encoder would cost the bootstrap.
func Compress(acceptEncoding string, resp *Response) bool {
	if len(resp.Body) < MinCompressSize || !acceptsGzip(acceptEncoding) {
		return false
	}
	h := resp.Header
	if h.Get("Content-Encoding") != "" || h.Get("Content-Range") != "" {
		return false
	}
	ct := strings.ToLower(h.Get("Content-Type"))
	switch {
	case strings.HasPrefix(ct, "image/") && !strings.HasPrefix(ct, "image/svg+xml"),
		strings.HasPrefix(ct, "audio/"), strings.HasPrefix(ct, "video/"),
		strings.HasPrefix(ct, "application/grpc"), strings.HasPrefix(ct, "text/event-stream"),
		strings.HasPrefix(ct, "application/zip"), strings.HasPrefix(ct, "application/gzip"):
		return false
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.DefaultCompression)
	_, _ = zw.Write(resp.Body)
	_ = zw.Close()
	resp.Body = b.Bytes()
	h.Set("Content-Encoding", "gzip")
	h.Add("Vary", "Accept-Encoding")
	if h.Get("Content-Length") != "" {
		h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	}
	return true
}

// acceptsGzip reads Accept-Encoding: gzip (or *) with a non-zero q.
func acceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "x-gzip" && name != "*" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		return q > 0
	}
	return false
}
