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
	dropHopHeaders(out)
	return out
}

// IsText reports whether a body with these headers travels as a JSON
// string; anything else is base64-encoded. The rules are lambda_http's
// (aws-lambda-rust-runtime lambda-http/src/response.rs, ConvertBody):
// any Content-Encoding, identity included, is binary; no Content-Type is
// text; a type starting with text, application/json (so also
// application/json-seq), application/javascript, application/xml or
// application/yaml is text, as is one whose media type ends in +xml,
// +yaml or +json; x-lambda-http-content-encoding: text makes any other
// type text. The prefixes are compared as written, case and all.
//
// Two deliberate differences keep every byte: a body that is not valid
// UTF-8 goes out as base64 even when the rules say text (lambda_http
// decodes a declared charset such as Latin-1, or replaces invalid bytes),
// and so does one without a Content-Type.
func IsText(h textproto.MIMEHeader, body []byte) bool {
	if _, ok := h["Content-Encoding"]; ok {
		return false
	}
	if !utf8.Valid(body) {
		return false
	}
	cts, ok := h["Content-Type"]
	if !ok || len(cts) == 0 {
		return true
	}
	ct := cts[0]
	for _, p := range textPrefixes {
		if strings.HasPrefix(ct, p) {
			return true
		}
	}
	mt, _, _ := strings.Cut(strings.TrimSpace(ct), ";")
	if strings.HasSuffix(mt, "+xml") || strings.HasSuffix(mt, "+yaml") || strings.HasSuffix(mt, "+json") {
		return true
	}
	return h.Get(HeaderContentEncodingHint) == "text"
}

// textPrefixes are lambda_http's TEXT_ENCODING_PREFIXES.
var textPrefixes = []string{"text", "application/json", "application/javascript", "application/xml", "application/yaml"}

// HeaderContentEncodingHint lets the app mark any body as text
// (lambda_http's X_LAMBDA_HTTP_CONTENT_ENCODING).
const HeaderContentEncodingHint = "X-Lambda-Http-Content-Encoding"

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
		out = &v2Response{resp.Status, joined(h), cookies, body, b64}
	case APIGatewayV1:
		out = &v1Response{resp.Status, last(h), multi(h), body, b64}
	case LatticeV1, LatticeV2:
		// VPC Lattice's response shape, the same for both versions.
		out = &describedResponse{resp.Status, describe(resp.Status), joined(h), body, b64}
	case ALB:
		if req.MultiValue {
			out = &describedMultiResponse{resp.Status, describe(resp.Status), multi(h), body, b64}
		} else {
			out = &describedResponse{resp.Status, describe(resp.Status), last(h), body, b64}
		}
	}
	b, _ := json.Marshal(out)
	return b
}

// The response shapes, one per event source, as aws-lambda-go's events
// package names them.

// v2Response is an HTTP API (payload format 2.0) or Function URL response
// (APIGatewayV2HTTPResponse, LambdaFunctionURLResponse).
type v2Response struct {
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Cookies         []string          `json:"cookies,omitempty"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
}

// v1Response is a REST API response (APIGatewayProxyResponse).
type v1Response struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// describedResponse is an ALB (ALBTargetGroupResponse, single-value
// headers) or VPC Lattice response: the status with its reason phrase.
type describedResponse struct {
	StatusCode        int               `json:"statusCode"`
	StatusDescription string            `json:"statusDescription"`
	Headers           map[string]string `json:"headers"`
	Body              string            `json:"body"`
	IsBase64Encoded   bool              `json:"isBase64Encoded"`
}

// describedMultiResponse is an ALB response for a target group with
// multi-value headers on.
type describedMultiResponse struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// describe is a statusDescription: "404 Not Found".
func describe(status int) string { return strconv.Itoa(status) + " " + statusText(status) }

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
	if _, ok := h["Content-Type"]; !ok {
		// lambda_runtime's default (lambda-runtime/src/requests.rs,
		// EventCompletionRequest for a StreamingResponse).
		h["Content-Type"] = []string{"application/octet-stream"}
	}
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

// statusText is the reason phrase for a statusDescription: the canonical
// reason of the http crate that lambda_http uses
// (hyperium/http src/status.rs, StatusCode::canonical_reason), "" for a
// code it has none for, as lambda_http then writes "599 ". net/http's
// StatusText would pull net/http (and TLS) into the bootstrap.
func statusText(code int) string { return reasons[code] }

var reasons = map[int]string{
	100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints",
	200: "OK", 201: "Created", 202: "Accepted", 203: "Non Authoritative Information",
	204: "No Content", 205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
	208: "Already Reported", 226: "IM Used",
	300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
	304: "Not Modified", 305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
	400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
	404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
	407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict", 410: "Gone",
	411: "Length Required", 412: "Precondition Failed", 413: "Payload Too Large",
	414: "URI Too Long", 415: "Unsupported Media Type", 416: "Range Not Satisfiable",
	417: "Expectation Failed", 418: "I'm a teapot", 421: "Misdirected Request",
	422: "Unprocessable Entity", 423: "Locked", 424: "Failed Dependency", 425: "Too Early",
	426: "Upgrade Required", 428: "Precondition Required", 429: "Too Many Requests",
	431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
	500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
	503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
	506: "Variant Also Negotiates", 507: "Insufficient Storage", 508: "Loop Detected",
	510: "Not Extended", 511: "Network Authentication Required",
}
