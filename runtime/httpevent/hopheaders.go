package httpevent

import (
	"net/textproto"
	"strings"
)

// hopHeaders describe one connection, not the message, and are never
// forwarded, in either direction. RFC 9110 section 7.6.1 names Connection
// and the fields it lists, plus Proxy-Connection, Keep-Alive, TE,
// Transfer-Encoding and Upgrade. Trailer goes too: bodies are buffered or
// re-chunked, so the trailer section it announces is not passed on.
// Proxy-Authenticate is for the next proxy, which the runtime is not (RFC
// 9110 section 11.7.1; RFC 2616 section 13.5.1 listed it as hop-by-hop).
// Proxy-Authorization is forwarded: the runtime asks no proxy credentials,
// so they are meant for the app, and the adapter forwards it as well.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Transfer-Encoding", "Upgrade", "Trailer", "Proxy-Authenticate"}

// dropHopHeaders removes hopHeaders and the headers that Connection names.
func dropHopHeaders(h textproto.MIMEHeader) {
	for _, v := range h["Connection"] {
		for _, name := range strings.Split(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				h.Del(name)
			}
		}
	}
	for _, k := range hopHeaders {
		delete(h, k)
	}
}

// reframedHeaders are the event's headers that the request to the app does
// not carry as sent: Host becomes Request.Host, and the body goes whole
// with its own Content-Length, so the client's framing and its Expect
// (100-continue) no longer apply.
var reframedHeaders = []string{"Host", "Content-Length", "Expect"}

// dropRequestHopHeaders removes what describes the client's connection or
// the original framing.
func dropRequestHopHeaders(h textproto.MIMEHeader) {
	dropHopHeaders(h)
	for _, k := range reframedHeaders {
		delete(h, k)
	}
}
