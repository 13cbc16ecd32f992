package httpevent

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/textproto"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/faas-runtime/faas-runtime/runtime/h1"
)

// Response is the app's answer, as the mode read it.
type Response struct {
	Status int
	Header textproto.MIMEHeader
	Body   []byte
}

// hopHeaders describe one connection, not the response: never forwarded.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Te", "Trailer", "Upgrade", "Proxy-Authenticate"}

// CleanHeader returns the headers to forward: hop-by-hop ones (and those
// the Connection header names) dropped, values with control characters
// dropped too (API Gateway would refuse the whole response). Keys are
// canonicalized first, so a map built by hand with "keep-alive" is cleaned
// the same as one a header parser built.
func CleanHeader(h textproto.MIMEHeader) textproto.MIMEHeader {
	out := make(textproto.MIMEHeader, len(h))
	for k, vs := range h {
		if !h1.ValidToken(k) {
			continue
		}
		k = textproto.CanonicalMIMEHeaderKey(k)
		for _, v := range vs {
			if h1.ValidFieldValue(v) {
				out[k] = append(out[k], v)
			}
		}
	}
	for _, v := range out["Connection"] {
		for _, name := range strings.Split(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				out.Del(name)
			}
		}
	}
	for _, k := range hopHeaders {
		delete(out, k)
	}
	return out
}

// IsText reports whether a body with these headers can travel as a JSON
// string; anything else is base64-encoded, as the adapter does: encoded
// bodies (Content-Encoding) and non-text content types are binary.
func IsText(h textproto.MIMEHeader, body []byte) bool {
	if ce := strings.TrimSpace(h.Get("Content-Encoding")); ce != "" && !strings.EqualFold(ce, "identity") {
		return false
	}
	if !utf8.Valid(body) {
		return false
	}
	ct := strings.ToLower(h.Get("Content-Type"))
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	switch {
	case ct == "":
		return true // valid UTF-8 without a type: text
	case strings.HasPrefix(ct, "text/"),
		strings.HasSuffix(ct, "+json"), strings.HasSuffix(ct, "+xml"), strings.HasSuffix(ct, "+yaml"):
		return true
	}
	switch ct {
	case "application/json", "application/javascript", "application/ecmascript", "application/xml",
		"application/yaml", "application/x-yaml", "application/x-www-form-urlencoded", "application/graphql",
		"application/x-ndjson", "application/ld+json", "image/svg+xml":
		return true
	}
	return false
}

// Encode builds the buffered response JSON for the request's event source.
// For pass-through events the body is the response: as is when it is JSON,
// else as a JSON string (what the adapter returns).
func Encode(req *Request, resp *Response) []byte {
	if req.Kind == PassThrough {
		if json.Valid(resp.Body) {
			return resp.Body
		}
		b, _ := json.Marshal(string(resp.Body))
		return b
	}
	h := CleanHeader(resp.Header)
	body, b64 := encodeBody(h, resp.Body)
	var out any
	switch req.Kind {
	case APIGatewayV2, FunctionURL:
		cookies := h["Set-Cookie"]
		delete(h, "Set-Cookie")
		out = &struct {
			StatusCode      int               `json:"statusCode"`
			Headers         map[string]string `json:"headers"`
			Cookies         []string          `json:"cookies,omitempty"`
			Body            string            `json:"body"`
			IsBase64Encoded bool              `json:"isBase64Encoded"`
		}{resp.Status, joined(h), cookies, body, b64}
	case APIGatewayV1:
		out = &struct {
			StatusCode        int                 `json:"statusCode"`
			Headers           map[string]string   `json:"headers"`
			MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
			Body              string              `json:"body"`
			IsBase64Encoded   bool                `json:"isBase64Encoded"`
		}{resp.Status, last(h), multi(h), body, b64}
	case ALB:
		desc := strconv.Itoa(resp.Status) + " " + statusText(resp.Status)
		if req.MultiValue {
			out = &struct {
				StatusCode        int                 `json:"statusCode"`
				StatusDescription string              `json:"statusDescription"`
				MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
				Body              string              `json:"body"`
				IsBase64Encoded   bool                `json:"isBase64Encoded"`
			}{resp.Status, desc, multi(h), body, b64}
		} else {
			out = &struct {
				StatusCode        int               `json:"statusCode"`
				StatusDescription string            `json:"statusDescription"`
				Headers           map[string]string `json:"headers"`
				Body              string            `json:"body"`
				IsBase64Encoded   bool              `json:"isBase64Encoded"`
			}{resp.Status, desc, last(h), body, b64}
		}
	}
	b, _ := json.Marshal(out)
	return b
}

func encodeBody(h textproto.MIMEHeader, body []byte) (string, bool) {
	if IsText(h, body) {
		return string(body), false
	}
	return base64.StdEncoding.EncodeToString(body), true
}

// Header names go out in lower case, as API Gateway and the adapter write them.

func joined(h textproto.MIMEHeader) map[string]string {
	m := make(map[string]string, len(h))
	for k, vs := range h {
		m[strings.ToLower(k)] = strings.Join(vs, ", ")
	}
	return m
}

// last keeps one value per header, the last one, as ALB does.
func last(h textproto.MIMEHeader) map[string]string {
	m := make(map[string]string, len(h))
	for k, vs := range h {
		if len(vs) > 0 {
			m[strings.ToLower(k)] = vs[len(vs)-1]
		}
	}
	return m
}

func multi(h textproto.MIMEHeader) map[string][]string {
	m := make(map[string][]string, len(h))
	for k, vs := range h {
		m[strings.ToLower(k)] = vs
	}
	return m
}

// PreludeSeparator ends the JSON prelude of a streamed HTTP response.
var PreludeSeparator = make([]byte, 8)

// Prelude is the start of a streamed response for an HTTP event (content
// type application/vnd.awslambda.http-integration-response): status,
// headers and cookies as JSON, then 8 NUL bytes; the body follows as is.
func Prelude(resp *Response) []byte {
	h := CleanHeader(resp.Header)
	cookies := h["Set-Cookie"]
	delete(h, "Set-Cookie")
	p := struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Cookies    []string          `json:"cookies"`
	}{resp.Status, joined(h), cookies}
	if p.Cookies == nil {
		p.Cookies = []string{}
	}
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(&p)
	b.Truncate(b.Len() - 1) // Encode's newline
	b.Write(PreludeSeparator)
	return b.Bytes()
}

// statusText is the reason phrase for ALB's statusDescription; net/http's
// StatusText would pull net/http (and TLS) into the bootstrap.
func statusText(code int) string {
	switch code {
	case 100:
		return "Continue"
	case 101:
		return "Switching Protocols"
	case 200:
		return "OK"
	case 201:
		return "Created"
	case 202:
		return "Accepted"
	case 204:
		return "No Content"
	case 206:
		return "Partial Content"
	case 301:
		return "Moved Permanently"
	case 302:
		return "Found"
	case 303:
		return "See Other"
	case 304:
		return "Not Modified"
	case 307:
		return "Temporary Redirect"
	case 308:
		return "Permanent Redirect"
	case 400:
		return "Bad Request"
	case 401:
		return "Unauthorized"
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 405:
		return "Method Not Allowed"
	case 409:
		return "Conflict"
	case 410:
		return "Gone"
	case 413:
		return "Payload Too Large"
	case 415:
		return "Unsupported Media Type"
	case 422:
		return "Unprocessable Entity"
	case 429:
		return "Too Many Requests"
	case 500:
		return "Internal Server Error"
	case 501:
		return "Not Implemented"
	case 502:
		return "Bad Gateway"
	case 503:
		return "Service Unavailable"
	case 504:
		return "Gateway Timeout"
	}
	return "Status"
}
