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
// AWS Lambda Web Adapter does not know these events
// (see awslabs/aws-lambda-web-adapter issue 789).
func fromLattice(kind Kind, payload []byte) (*Request, []byte, error) {
	var ev latticeEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, nil, api.Errorf(ErrTypeUnknownShape, "the event looks like a %s event but does not decode as one: %v", kind, err)
	}
	if kind == LatticeV2 && ev.Version != "2.0" {
		return nil, nil, api.Errorf(ErrTypeUnknownShape, "VPC Lattice event structure version %q: only 1 and 2.0 are known", ev.Version)
	}
	r := &Request{Kind: kind, Method: ev.Method, Header: textproto.MIMEHeader{}}
	if !h1.ValidToken(r.Method) {
		return nil, nil, api.Errorf(ErrTypeUnknownShape, "HTTP method %q is not a valid token", r.Method)
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
			return nil, nil, api.Errorf(ErrTypeUnknownShape, "isBase64Encoded is true but the body is not base64: %v", err)
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
