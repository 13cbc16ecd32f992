package httpevent

import (
	"encoding/base64"
	"encoding/json"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/h1"
)

// The API Gateway REST API (payload format 1.0), HTTP API (2.0), Function
// URL (2.0) and ALB events share one decoding struct: their fields overlap,
// and which of them a source sets is told by kindOf.

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

// fromEvent builds the request for an API Gateway, ALB or Function URL event.
func fromEvent(kind Kind, ev *event, rc *requestContext) (*Request, error) {
	r := &Request{Kind: kind, Header: textproto.MIMEHeader{}}
	switch kind {
	case APIGatewayV2, FunctionURL:
		if ev.Version != "2.0" {
			return nil, api.Errorf(ErrTypeUnknownShape, "payload format version %q with requestContext.http: only 2.0 is known", ev.Version)
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
			return nil, api.Errorf(ErrTypeUnknownShape, "payload format version %q for a %s event: only 1.0 is known", ev.Version, kind)
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
		return nil, api.Errorf(ErrTypeUnknownShape, "a %s event without an HTTP method", kind)
	}
	if !h1.ValidToken(r.Method) {
		return nil, api.Errorf(ErrTypeUnknownShape, "HTTP method %q is not a valid token", r.Method)
	}
	if r.Path == "" {
		r.Path = "/"
	}
	r.Path = escapePath(r.Path)
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return nil, api.Errorf(ErrTypeUnknownShape, "isBase64Encoded is true but the body is not base64: %v", err)
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
