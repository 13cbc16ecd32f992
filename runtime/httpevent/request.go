package httpevent

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/textproto"
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
func Translate(inv *api.Invocation, o *Options) (*Request, error) {
	payload := bytes.TrimSpace(inv.Payload)
	var ev event
	kind := PassThrough
	var rc requestContext
	switch {
	case len(payload) == 0 || payload[0] != '{':
		if !json.Valid(payload) {
			return nil, api.Errorf(ErrTypeMalformedEvent, "the event is not valid JSON")
		}
	default:
		if err := json.Unmarshal(payload, &ev); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) || !json.Valid(payload) {
				return nil, api.Errorf(ErrTypeMalformedEvent, "the event is not valid JSON")
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
				return nil, api.Errorf(ErrTypeUnknownShape, "the event looks like a %s event but does not decode as one: %v", k, err)
			}
			break
		}
		var kerr error
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
		var ferr error
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
		return nil, api.Errorf(ErrTypeInvalidHeader, "Host %s is not a valid host; the request was not sent", strconv.Quote(r.Host))
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
func kindOf(ev *event, rc *requestContext) (Kind, error) {
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
			return 0, api.Errorf(ErrTypeUnknownShape, "the event's requestContext.http is not an object with a method: %.100s", pc.HTTP)
		}
		if len(pc.DomainName) > 0 {
			if err := json.Unmarshal(pc.DomainName, &rc.DomainName); err != nil {
				return 0, api.Errorf(ErrTypeUnknownShape, "requestContext.domainName is not a string")
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
func classify(payload []byte) (Kind, error) {
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

// checkHeaders refuses a request the app must not get: a header name that
// is not a token, or a value with control characters that would let a
// client split or smuggle requests.
func checkHeaders(h textproto.MIMEHeader) error {
	if err := h1.CheckHeader(h); err != nil {
		return api.Errorf(ErrTypeInvalidHeader, "%v; the request was not sent", err)
	}
	return nil
}
