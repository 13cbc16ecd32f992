package httpevent

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// EnvConfig is the function's static configuration, for x-amzn-lambda-context.
type EnvConfig struct {
	FunctionName string `json:"function_name"`
	Memory       int    `json:"memory"`
	Version      string `json:"version"`
	LogStream    string `json:"log_stream"`
	LogGroup     string `json:"log_group"`
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
