package httpevent

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/h1"
)

// Kind is the event source an invocation came from.
type Kind int

const (
	PassThrough  Kind = iota // anything else: SQS, S3, EventBridge, a direct invoke
	APIGatewayV1             // API Gateway REST API (payload format 1.0)
	APIGatewayV2             // API Gateway HTTP API (payload format 2.0)
	ALB                      // Application Load Balancer target
	FunctionURL              // Lambda Function URL (format 2.0, *.lambda-url.* domain)
	LatticeV1                // VPC Lattice target group, event structure version 1
	LatticeV2                // VPC Lattice target group, event structure version 2
)

func (k Kind) String() string {
	return [...]string{"pass-through", "apigw-v1", "apigw-v2", "alb", "function-url", "vpc-lattice-v1", "vpc-lattice-v2"}[k]
}

// Error types for events that cannot become a request.
const (
	ErrTypeMalformedEvent = "Runtime.MalformedEvent"    // not JSON
	ErrTypeUnknownShape   = "Runtime.UnknownEventShape" // looks like an HTTP event but is not one we know
	ErrTypeInvalidHeader  = "Runtime.InvalidHeader"     // CR, LF, NUL... in a header name or value
)

// Headers set on every request to the app, replacing any client copies.
const (
	HeaderRequestContext = "X-Amzn-Request-Context"
	HeaderLambdaContext  = "X-Amzn-Lambda-Context"
	// HeaderTraceID is the invocation's Lambda-Runtime-Trace-Id when Lambda
	// sends one, as lambda_http sets it (lambda-http/src/request.rs,
	// update_xray_trace_id_header).
	HeaderTraceID = "X-Amzn-Trace-Id"
	// HeaderTenantID is the invocation's tenant id, for tenant isolation
	// (awslabs/aws-lambda-web-adapter v1.0.0 src/lib.rs, fetch_response).
	HeaderTenantID = "X-Amz-Tenant-Id"
)

// Options are the adapter settings that shape the request.
type Options struct {
	RemoveBasePath      string // AWS_LWA_REMOVE_BASE_PATH
	PassThroughPath     string // AWS_LWA_PASS_THROUGH_PATH, default /events
	AuthorizationSource string // AWS_LWA_AUTHORIZATION_SOURCE: header renamed to Authorization
	Env                 EnvConfig
}

// EnvConfig is the function's static configuration, for x-amzn-lambda-context.
type EnvConfig struct {
	FunctionName string `json:"function_name"`
	Memory       int    `json:"memory"`
	Version      string `json:"version"`
	LogStream    string `json:"log_stream"`
	LogGroup     string `json:"log_group"`
}

// Request is the HTTP request for the app, and what the response needs to
// know about the event.
type Request struct {
	Kind       Kind
	MultiValue bool // ALB target group with multi-value headers on
	Method     string
	Path       string // escaped path, starts with /
	RawQuery   string // escaped, without '?'
	Host       string
	Header     textproto.MIMEHeader
	Body       []byte
}

// Target is the request-target: path and query.
func (r *Request) Target() string {
	if r.RawQuery == "" {
		return r.Path
	}
	return r.Path + "?" + r.RawQuery
}

// event is the union of the HTTP event shapes' fields we use.
type event struct {
	Version                         string              `json:"version"`
	HTTPMethod                      string              `json:"httpMethod"`
	Path                            string              `json:"path"`
	RawPath                         string              `json:"rawPath"`
	RawQueryString                  string              `json:"rawQueryString"`
	Cookies                         []string            `json:"cookies"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	Body                            string              `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
	RequestContext                  json.RawMessage     `json:"requestContext"`
	Method                          string              `json:"method"`   // VPC Lattice
	LatticeRawPath                  string              `json:"raw_path"` // VPC Lattice v1
}

// requestContext holds what the request needs from requestContext.
type requestContext struct {
	HTTP *struct {
		Method string `json:"method"`
	}
	DomainName string
}

// probe finds the markers of an HTTP event without committing to field types.
type probe struct {
	HTTPMethod     json.RawMessage `json:"httpMethod"`
	RequestContext json.RawMessage `json:"requestContext"`
	Method         json.RawMessage `json:"method"`
	LatticeRawPath json.RawMessage `json:"raw_path"`
	Version        json.RawMessage `json:"version"`
}

type probeContext struct {
	HTTP              json.RawMessage `json:"http"`
	ELB               json.RawMessage `json:"elb"`
	DomainName        json.RawMessage `json:"domainName"`
	ServiceNetworkArn json.RawMessage `json:"serviceNetworkArn"`
	ServiceArn        json.RawMessage `json:"serviceArn"`
	TargetGroupArn    json.RawMessage `json:"targetGroupArn"`
}

// lattice reports the VPC Lattice markers: a top-level method (not
// httpMethod) with raw_path (version 1), or version 2.0 with a Lattice
// requestContext (version 2).
func (pc *probeContext) lattice() bool {
	return len(pc.ServiceNetworkArn) > 0 || len(pc.ServiceArn) > 0 || len(pc.TargetGroupArn) > 0
}

// Translate turns one invocation into the request for the app, or refuses
// it with an error of one of this package's types.
//
// The payload is decoded once into the union of the HTTP shapes (the event
// source is then told from requestContext); only an event whose fields have
// other types is probed again, to tell a broken HTTP event from another
// source's event.
func Translate(inv *api.Invocation, o *Options) (*Request, *api.Error) {
	payload := bytes.TrimSpace(inv.Payload)
	var ev event
	kind := PassThrough
	var rc requestContext
	switch {
	case len(payload) == 0 || payload[0] != '{':
		if !json.Valid(payload) {
			return nil, api.NewError(ErrTypeMalformedEvent, "the event is not valid JSON")
		}
	default:
		if err := json.Unmarshal(payload, &ev); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) || !json.Valid(payload) {
				return nil, api.NewError(ErrTypeMalformedEvent, "the event is not valid JSON")
			}
			k, perr := classify(payload)
			if perr != nil {
				return nil, perr
			}
			if k == LatticeV1 || k == LatticeV2 {
				kind = k // its headers may be lists: decoded by fromLattice
				break
			}
			if k != PassThrough {
				return nil, api.NewError(ErrTypeUnknownShape, fmt.Sprintf("the event looks like a %s event but does not decode as one: %v", k, err))
			}
			break
		}
		var kerr *api.Error
		if kind, kerr = kindOf(&ev, &rc); kerr != nil {
			return nil, kerr
		}
	}
	var r *Request
	var rcJSON []byte
	if kind == PassThrough {
		path := o.PassThroughPath
		if path == "" {
			path = "/events"
		}
		r = &Request{Kind: PassThrough, Method: "POST", Path: escapePath(path), Header: textproto.MIMEHeader{}, Body: inv.Payload}
		r.Header.Set("Content-Type", "application/json")
		rcJSON = []byte("null")
	} else {
		var ferr *api.Error
		if kind == LatticeV1 || kind == LatticeV2 {
			r, rcJSON, ferr = fromLattice(kind, payload)
		} else {
			r, ferr = fromEvent(kind, &ev, &rc)
			rcJSON = compactJSON(ev.RequestContext)
		}
		if ferr != nil {
			return nil, ferr
		}
		if o.RemoveBasePath != "" {
			r.Path = removeBasePath(r.Path, o.RemoveBasePath)
		}
		if o.AuthorizationSource != "" {
			if v, ok := r.Header[textproto.CanonicalMIMEHeaderKey(o.AuthorizationSource)]; ok {
				r.Header.Del(o.AuthorizationSource)
				r.Header["Authorization"] = v
			}
		}
	}
	if err := checkHeaders(r.Header); err != nil {
		return nil, err
	}
	if !h1.ValidFieldValue(r.Host) || strings.ContainsAny(r.Host, " \t/") {
		return nil, api.NewError(ErrTypeInvalidHeader, fmt.Sprintf("Host %s is not a valid host; the request was not sent", strconv.Quote(r.Host)))
	}
	r.Header[HeaderRequestContext] = []string{string(rcJSON)}
	r.Header[HeaderLambdaContext] = []string{string(lambdaContext(inv, &o.Env))}
	// Lambda's values replace the event's; one that is not a valid header
	// value is left out, as the adapter skips it.
	if inv.TraceID != "" && h1.ValidFieldValue(inv.TraceID) {
		r.Header[HeaderTraceID] = []string{inv.TraceID}
	}
	if inv.TenantID != "" && h1.ValidFieldValue(inv.TenantID) {
		r.Header[HeaderTenantID] = []string{inv.TenantID}
	}
	return r, nil
}

// kindOf tells the event source of a decoded event from its markers:
// requestContext.elb (ALB), requestContext.http (HTTP API or Function
// URL), a top-level httpMethod (REST API).
func kindOf(ev *event, rc *requestContext) (Kind, *api.Error) {
	if ev.HTTPMethod == "" && ev.Method != "" && ev.LatticeRawPath != "" {
		return LatticeV1, nil
	}
	if len(ev.RequestContext) == 0 || ev.RequestContext[0] != '{' {
		return PassThrough, nil
	}
	var pc probeContext
	if err := json.Unmarshal(ev.RequestContext, &pc); err != nil {
		return PassThrough, nil
	}
	switch {
	case ev.HTTPMethod == "" && ev.Method != "" && pc.lattice():
		return LatticeV2, nil
	case len(pc.ELB) > 0:
		_ = json.Unmarshal(pc.DomainName, &rc.DomainName)
		return ALB, nil
	case len(pc.HTTP) > 0:
		if err := json.Unmarshal(pc.HTTP, &rc.HTTP); err != nil || rc.HTTP == nil {
			return 0, api.NewError(ErrTypeUnknownShape, fmt.Sprintf("the event's requestContext.http is not an object with a method: %.100s", pc.HTTP))
		}
		if len(pc.DomainName) > 0 {
			if err := json.Unmarshal(pc.DomainName, &rc.DomainName); err != nil {
				return 0, api.NewError(ErrTypeUnknownShape, "requestContext.domainName is not a string")
			}
		}
		if strings.Contains(rc.DomainName, ".lambda-url.") {
			return FunctionURL, nil
		}
		return APIGatewayV2, nil
	case ev.HTTPMethod != "":
		_ = json.Unmarshal(pc.DomainName, &rc.DomainName)
		return APIGatewayV1, nil
	}
	return PassThrough, nil
}

// classify tells the source of an event whose fields did not decode into
// the HTTP shapes, from its markers only.
func classify(payload []byte) (Kind, *api.Error) {
	var p probe
	if json.Unmarshal(payload, &p) != nil {
		return PassThrough, nil
	}
	var pc probeContext
	if len(p.RequestContext) > 0 && p.RequestContext[0] == '{' {
		_ = json.Unmarshal(p.RequestContext, &pc)
	}
	switch {
	case len(p.HTTPMethod) == 0 && len(p.Method) > 0 && len(p.LatticeRawPath) > 0:
		return LatticeV1, nil
	case len(p.HTTPMethod) == 0 && len(p.Method) > 0 && pc.lattice():
		return LatticeV2, nil
	case len(pc.ELB) > 0:
		return ALB, nil
	case len(pc.HTTP) > 0:
		return APIGatewayV2, nil
	case len(p.HTTPMethod) > 0 && len(p.RequestContext) > 0:
		return APIGatewayV1, nil
	}
	return PassThrough, nil
}

func fromEvent(kind Kind, ev *event, rc *requestContext) (*Request, *api.Error) {
	r := &Request{Kind: kind, Header: textproto.MIMEHeader{}}
	switch kind {
	case APIGatewayV2, FunctionURL:
		if ev.Version != "2.0" {
			return nil, api.NewError(ErrTypeUnknownShape, fmt.Sprintf("payload format version %q with requestContext.http: only 2.0 is known", ev.Version))
		}
		r.Method = rc.HTTP.Method
		r.Path = ev.RawPath
		r.RawQuery = escapeQuery(ev.RawQueryString)
		for k, v := range ev.Headers {
			r.Header[textproto.CanonicalMIMEHeaderKey(k)] = []string{v}
		}
		if len(ev.Cookies) > 0 {
			r.Header.Set("Cookie", strings.Join(ev.Cookies, "; "))
		}
	case APIGatewayV1, ALB:
		if ev.Version != "" && ev.Version != "1.0" {
			return nil, api.NewError(ErrTypeUnknownShape, fmt.Sprintf("payload format version %q for a %s event: only 1.0 is known", ev.Version, kind))
		}
		r.Method = ev.HTTPMethod
		r.Path = ev.Path
		r.MultiValue = kind == ALB && ev.MultiValueHeaders != nil
		// API Gateway decodes query parameters (re-encode them); ALB passes
		// them as the client sent them (keep them).
		if kind == APIGatewayV1 {
			r.RawQuery = encodeQuery(ev.MultiValueQueryStringParameters, ev.QueryStringParameters, url.QueryEscape)
		} else {
			r.RawQuery = encodeQuery(ev.MultiValueQueryStringParameters, ev.QueryStringParameters, escapeQuery)
		}
		for k, vs := range ev.MultiValueHeaders {
			if len(vs) > 0 {
				r.Header[textproto.CanonicalMIMEHeaderKey(k)] = vs
			}
		}
		for k, v := range ev.Headers {
			ck := textproto.CanonicalMIMEHeaderKey(k)
			if _, ok := r.Header[ck]; !ok {
				r.Header[ck] = []string{v}
			}
		}
	}
	if r.Method == "" {
		return nil, api.NewError(ErrTypeUnknownShape, fmt.Sprintf("a %s event without an HTTP method", kind))
	}
	if !h1.ValidToken(r.Method) {
		return nil, api.NewError(ErrTypeUnknownShape, fmt.Sprintf("HTTP method %q is not a valid token", r.Method))
	}
	if r.Path == "" {
		r.Path = "/"
	}
	r.Path = escapePath(r.Path)
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return nil, api.NewError(ErrTypeUnknownShape, "isBase64Encoded is true but the body is not base64: "+err.Error())
		}
		r.Body = b
	} else {
		r.Body = []byte(ev.Body)
	}
	r.Host = r.Header.Get("Host")
	if r.Host == "" {
		r.Host = rc.DomainName
	}
	dropRequestHopHeaders(r.Header)
	return r, nil
}

// latticeEvent is a VPC Lattice event, either version: version 1 names its
// fields in snake case and has no requestContext; header and query values
// are strings in version 1 and lists of strings in version 2 (both are
// accepted in either).
type latticeEvent struct {
	Version        string             `json:"version"`
	Path           string             `json:"path"`     // version 2
	RawPath        string             `json:"raw_path"` // version 1
	Method         string             `json:"method"`
	Headers        map[string]strList `json:"headers"`
	Query          map[string]strList `json:"queryStringParameters"`   // version 2
	QueryV1        map[string]strList `json:"query_string_parameters"` // version 1
	Body           string             `json:"body"`
	Base64         bool               `json:"isBase64Encoded"`   // version 2
	Base64V1       bool               `json:"is_base64_encoded"` // version 1
	RequestContext json.RawMessage    `json:"requestContext"`
}

// strList is a JSON string or list of strings.
type strList []string

func (l *strList) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		return json.Unmarshal(b, (*[]string)(l))
	}
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s != nil {
		*l = strList{*s}
	}
	return nil
}

// fromLattice builds the request for a VPC Lattice event, and the value of
// x-amzn-request-context (version 2's requestContext; version 1 has none).
// AWS Lambda Web Adapter does not know these events (its issue #789).
func fromLattice(kind Kind, payload []byte) (*Request, []byte, *api.Error) {
	var ev latticeEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, nil, api.NewError(ErrTypeUnknownShape, fmt.Sprintf("the event looks like a %s event but does not decode as one: %v", kind, err))
	}
	if kind == LatticeV2 && ev.Version != "2.0" {
		return nil, nil, api.NewError(ErrTypeUnknownShape, fmt.Sprintf("VPC Lattice event structure version %q: only 1 and 2.0 are known", ev.Version))
	}
	r := &Request{Kind: kind, Method: ev.Method, Header: textproto.MIMEHeader{}}
	if !h1.ValidToken(r.Method) {
		return nil, nil, api.NewError(ErrTypeUnknownShape, fmt.Sprintf("HTTP method %q is not a valid token", r.Method))
	}
	path, query := ev.Path, ev.Query
	if kind == LatticeV1 {
		path, query = ev.RawPath, ev.QueryV1
	}
	// A path that carries its query keeps it as sent; otherwise the
	// parameters (decoded by Lattice) are encoded again.
	path, r.RawQuery, _ = strings.Cut(path, "?")
	r.RawQuery = escapeQuery(r.RawQuery)
	if r.RawQuery == "" {
		multi := make(map[string][]string, len(query))
		for k, vs := range query {
			multi[k] = vs
		}
		r.RawQuery = encodeQuery(multi, nil, url.QueryEscape)
	}
	r.Path = escapePath(path)
	for k, vs := range ev.Headers {
		if len(vs) > 0 {
			r.Header[textproto.CanonicalMIMEHeaderKey(k)] = vs
		}
	}
	r.Body = []byte(ev.Body)
	if ev.Base64 || ev.Base64V1 {
		b, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return nil, nil, api.NewError(ErrTypeUnknownShape, "isBase64Encoded is true but the body is not base64: "+err.Error())
		}
		r.Body = b
	}
	r.Host = r.Header.Get("Host")
	dropRequestHopHeaders(r.Header)
	rc := []byte("null")
	if kind == LatticeV2 {
		rc = compactJSON(ev.RequestContext)
	}
	return r, rc, nil
}

// dropRequestHopHeaders removes what describes the client's connection or
// the original framing: the body is re-framed for the app.
func dropRequestHopHeaders(h textproto.MIMEHeader) {
	for _, v := range h["Connection"] {
		for _, name := range strings.Split(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				h.Del(name)
			}
		}
	}
	for _, k := range []string{"Host", "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Te", "Trailer", "Upgrade", "Content-Length", "Expect"} {
		delete(h, k)
	}
}

func removeBasePath(path, base string) string {
	base = "/" + strings.Trim(base, "/")
	if base == "/" || !strings.HasPrefix(path, base) {
		return path
	}
	rest := path[len(base):]
	switch {
	case rest == "":
		return "/"
	case rest[0] == '/':
		return rest
	}
	return path // "/apix" does not start with the base "/api"
}

// encodeQuery builds a query string from API Gateway/ALB parameter maps,
// multi-value first, in sorted key order so requests are reproducible.
func encodeQuery(multi map[string][]string, single map[string]string, esc func(string) string) string {
	keys := make([]string, 0, len(multi)+len(single))
	for k := range multi {
		keys = append(keys, k)
	}
	for k := range single {
		if _, ok := multi[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	add := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(esc(k))
		b.WriteByte('=')
		b.WriteString(esc(v))
	}
	for _, k := range keys {
		if vs, ok := multi[k]; ok {
			for _, v := range vs {
				add(k, v)
			}
		} else {
			add(k, single[k])
		}
	}
	return b.String()
}

// escapePath percent-encodes the bytes that may not appear in a
// request-target, leaving existing %XX escapes alone.
func escapePath(p string) string {
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	return escapeTarget(p, true)
}

func escapeQuery(q string) string { return escapeTarget(q, false) }

func escapeTarget(s string, isPath bool) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		bad := c <= ' ' || c >= 0x7f || strings.IndexByte("#\"<>\\^`{|}", c) >= 0 || (isPath && c == '?')
		if c == '%' && !(i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])) {
			bad = true
		}
		if !bad {
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(s)+8), s[:i]...)
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	if b == nil {
		return s
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// checkHeaders refuses a request the app must not get: a header name that
// is not a token, or a value with control characters that would let a
// client split or smuggle requests.
func checkHeaders(h textproto.MIMEHeader) *api.Error {
	if err := h1.CheckHeader(h); err != nil {
		return api.NewError(ErrTypeInvalidHeader, err.Error()+"; the request was not sent")
	}
	return nil
}

// compactJSON makes a JSON value fit on one header line. JSON strings
// cannot hold raw CR or LF, so any there is insignificant whitespace; DEL
// may appear raw in a string and is escaped. Compact JSON (what Lambda
// sends) is returned as is.
func compactJSON(raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return []byte("null")
	}
	if bytes.ContainsAny(raw, "\r\n\x7f") {
		var b bytes.Buffer
		if json.Compact(&b, raw) != nil {
			return []byte("null")
		}
		raw = bytes.ReplaceAll(b.Bytes(), []byte{0x7f}, []byte(`\u007f`))
	}
	return raw
}

// lambdaContext is the x-amzn-lambda-context value: the fields of
// lambda_runtime's Context, which the adapter sends, plus the tenant id.
// Written by hand: it is built for every invocation, and json.Marshal
// would scan the raw parts again.
func lambdaContext(inv *api.Invocation, env *EnvConfig) []byte {
	b := make([]byte, 0, 512)
	b = append(b, `{"request_id":`...)
	b = appendString(b, inv.RequestID)
	b = append(b, `,"deadline":`...)
	b = strconv.AppendInt(b, inv.DeadlineMs, 10)
	b = append(b, `,"invoked_function_arn":`...)
	b = appendString(b, inv.FunctionARN)
	b = append(b, `,"xray_trace_id":`...)
	b = appendString(b, inv.TraceID)
	b = append(b, `,"client_context":`...)
	b = appendRaw(b, inv.ClientContext)
	b = append(b, `,"identity":`...)
	b = appendRaw(b, inv.CognitoIdentity)
	b = append(b, `,"tenant_id":`...)
	if inv.TenantID == "" {
		b = append(b, "null"...)
	} else {
		b = appendString(b, inv.TenantID)
	}
	b = append(b, `,"env_config":{"function_name":`...)
	b = appendString(b, env.FunctionName)
	b = append(b, `,"memory":`...)
	b = strconv.AppendInt(b, int64(env.Memory), 10)
	b = append(b, `,"version":`...)
	b = appendString(b, env.Version)
	b = append(b, `,"log_stream":`...)
	b = appendString(b, env.LogStream)
	b = append(b, `,"log_group":`...)
	b = appendString(b, env.LogGroup)
	return append(b, "}}"...)
}

// appendRaw appends s if it is JSON (on one line), else s as a string,
// and null for nothing.
func appendRaw(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	if json.Valid([]byte(s)) {
		return append(b, compactJSON([]byte(s))...)
	}
	return appendString(b, s)
}

// appendString appends s as a JSON string, with every control character
// and DEL escaped, so the result is a valid header value.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20 || c == 0x7f:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
