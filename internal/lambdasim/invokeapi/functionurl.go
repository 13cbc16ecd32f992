package invokeapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
)

// The invoke modes of a function URL (CreateFunctionUrlConfig, InvokeMode).
const (
	Buffered       = "BUFFERED"
	ResponseStream = "RESPONSE_STREAM"
)

// FunctionURL serves fn the way a Lambda function URL does ("Invoking
// Lambda function URLs",
// https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html): each
// HTTP request becomes the payload format 2.0 event (aws-lambda-go's
// events.LambdaFunctionURLRequest), and the function's answer the HTTP
// response. BUFFERED reads the response object ({"statusCode", "headers",
// "cookies", "body", "isBase64Encoded"}; any other JSON is a 200
// application/json body); RESPONSE_STREAM reads the streamed prelude (that
// object without the body), eight NUL bytes, then the body as it streams.
// A function error is 502, as Lambda answers it.
func (a *API) FunctionURL(name, mode string) (http.Handler, error) {
	f := a.byName[name]
	if f == nil {
		return nil, fmt.Errorf("function URL: no function %q", name)
	}
	if mode != Buffered && mode != ResponseStream {
		return nil, fmt.Errorf("function URL invoke mode %q: want %s or %s", mode, Buffered, ResponseStream)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.serveFunctionURL(f, mode, w, r)
	}), nil
}

func (a *API) serveFunctionURL(f *function, mode string, w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxSyncPayload+1))
	if err != nil {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	event, err := json.Marshal(urlEvent(r, body, a.cfg.AccountID))
	if err != nil || len(event) > MaxSyncPayload {
		http.Error(w, "Request Entity Too Large", http.StatusRequestEntityTooLarge)
		return
	}
	opts := emulator.InvokeOptions{RequestID: uuid.NewString(), TraceID: r.Header.Get("X-Amzn-Trace-Id")}
	w.Header().Set(headerRequestID, opts.RequestID)
	var sw *preludeWriter
	if mode == ResponseStream {
		sw = &preludeWriter{w: w}
		opts.Stream = sw
	}
	res, err := f.Invoker.Invoke(r.Context(), event, opts)
	switch {
	case err != nil && (sw == nil || !sw.started):
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
	case err != nil:
	case res.Failed() && (sw == nil || !sw.started):
		http.Error(w, "Internal Server Error", http.StatusBadGateway)
	case res.Streamed && sw != nil:
		sw.end()
	default:
		writeURLResponse(w, res.Body)
	}
}

// urlEvent is the function URL event for r.
func urlEvent(r *http.Request, body []byte, account string) events.LambdaFunctionURLRequest {
	now := time.Now().UTC()
	host, _, _ := strings.Cut(r.Host, ":")
	prefix, _, _ := strings.Cut(host, ".")
	ev := events.LambdaFunctionURLRequest{
		Version: "2.0", RawPath: r.URL.EscapedPath(), RawQueryString: r.URL.RawQuery,
		Headers: map[string]string{},
		RequestContext: events.LambdaFunctionURLRequestContext{
			AccountID: account, RequestID: uuid.NewString(), APIID: prefix, DomainName: host, DomainPrefix: prefix,
			Time: now.Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: now.UnixMilli(),
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{
				Method: r.Method, Path: r.URL.Path, Protocol: r.Proto, UserAgent: r.UserAgent(),
			},
		},
	}
	ev.RequestContext.HTTP.SourceIP, _, _ = net.SplitHostPort(r.RemoteAddr)
	for k, vs := range r.Header {
		if strings.EqualFold(k, "Cookie") {
			for _, v := range vs {
				for _, c := range strings.Split(v, ";") {
					ev.Cookies = append(ev.Cookies, strings.TrimSpace(c))
				}
			}
			continue
		}
		ev.Headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	ev.Headers["host"] = r.Host
	if q := r.URL.Query(); len(q) > 0 {
		ev.QueryStringParameters = map[string]string{}
		for k, vs := range q {
			ev.QueryStringParameters[k] = strings.Join(vs, ",")
		}
	}
	if len(body) > 0 {
		if utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	return ev
}

// writeURLResponse turns a buffered answer into the HTTP response: the
// response object when it is one, else the answer as a JSON body.
func writeURLResponse(w http.ResponseWriter, answer []byte) {
	var probe map[string]json.RawMessage
	var resp events.LambdaFunctionURLResponse
	if json.Unmarshal(answer, &probe) != nil || probe["statusCode"] == nil || json.Unmarshal(answer, &resp) != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(answer)
		return
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			http.Error(w, "Internal Server Error", http.StatusBadGateway)
			return
		}
		body = b
	}
	writeHead(w, resp.StatusCode, resp.Headers, resp.Cookies)
	_, _ = w.Write(body)
}

func writeHead(w http.ResponseWriter, status int, headers map[string]string, cookies []string) {
	h := w.Header()
	for k, v := range headers {
		h.Set(k, v)
	}
	for _, c := range cookies {
		h.Add("Set-Cookie", c)
	}
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
}

// preludeDelimiter ends the prelude of a streamed function URL response.
var preludeDelimiter = make([]byte, 8)

// maxPrelude bounds the prelude kept while looking for its end.
const maxPrelude = 64 << 10

// preludeWriter reads a streamed response: it holds bytes until the
// prelude's end, then writes the status line and headers, and from then
// on passes the body through, flushed chunk by chunk.
type preludeWriter struct {
	w       http.ResponseWriter
	mu      sync.Mutex
	head    []byte
	started bool // the status line has gone out
}

func (p *preludeWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(b)
	if !p.started {
		p.head = append(p.head, b...)
		i := bytes.Index(p.head, preludeDelimiter)
		if i < 0 && len(p.head) < maxPrelude {
			return len(b), nil
		}
		var prelude struct {
			StatusCode int               `json:"statusCode"`
			Headers    map[string]string `json:"headers"`
			Cookies    []string          `json:"cookies"`
		}
		rest := p.head
		if i >= 0 && json.Unmarshal(p.head[:i], &prelude) == nil {
			rest = p.head[i+len(preludeDelimiter):]
		} else {
			prelude.StatusCode = http.StatusOK
		}
		p.started, p.head = true, nil
		writeHead(p.w, prelude.StatusCode, prelude.Headers, prelude.Cookies)
		b = rest
	}
	if len(b) > 0 {
		if _, err := p.w.Write(b); err != nil {
			return 0, err
		}
	}
	if f, ok := p.w.(http.Flusher); ok {
		f.Flush()
	}
	return n, nil
}

func (p *preludeWriter) Flush() {}

// end sends what is still held: a stream that ended before its prelude
// did is a buffered answer.
func (p *preludeWriter) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.started {
		p.started = true
		writeURLResponse(p.w, p.head)
	}
}
