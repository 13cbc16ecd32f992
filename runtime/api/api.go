// Package api holds the wire contract of the AWS Lambda Runtime API
// (version 2018-06-01): paths, header names, limits and the error shape.
// Both sides use it: the runtime's client and the local emulator, so the two
// cannot drift apart.
package api

import (
	"strconv"
	"time"
)

// Version is the Runtime API version in every path.
const Version = "2018-06-01"

// Paths, relative to http://$AWS_LAMBDA_RUNTIME_API.
const (
	PathNext      = "/" + Version + "/runtime/invocation/next"
	PathInvoke    = "/" + Version + "/runtime/invocation/" // + {id}/response | {id}/error
	PathInitError = "/" + Version + "/runtime/init/error"

	// SnapStart (AWS "Implementing SnapStart hooks for container images"):
	// the runtime calls restore/next once its init and before-checkpoint
	// hooks are done; Lambda snapshots it there and answers after a
	// restore. A failed after-restore hook goes to restore/error.
	PathRestoreNext  = "/" + Version + "/runtime/restore/next"
	PathRestoreError = "/" + Version + "/runtime/restore/error"

	// PathRIEInvoke is the invoke endpoint of the AWS Runtime Interface
	// Emulator; our emulator serves it so curl commands written for RIE work.
	PathRIEInvoke = "/2015-03-31/functions/function/invocations"
)

// ResponsePath and ErrorPath build the per-invocation paths.
func ResponsePath(requestID string) string { return PathInvoke + requestID + "/response" }
func ErrorPath(requestID string) string    { return PathInvoke + requestID + "/error" }

// Invocation headers sent with /next.
const (
	HeaderRequestID       = "Lambda-Runtime-Aws-Request-Id"
	HeaderDeadlineMs      = "Lambda-Runtime-Deadline-Ms"
	HeaderFunctionARN     = "Lambda-Runtime-Invoked-Function-Arn"
	HeaderTraceID         = "Lambda-Runtime-Trace-Id"
	HeaderClientContext   = "Lambda-Runtime-Client-Context"
	HeaderCognitoIdentity = "Lambda-Runtime-Cognito-Identity"
	HeaderTenantID        = "Lambda-Runtime-Aws-Tenant-Id"
	// HeaderInvocationID is a nonce Lambda hands out with each /next (since
	// 2026-07) and checks when the runtime echoes it on /response and
	// /error: a late answer from a timed-out invocation cannot then be
	// taken as the answer of a newer one that reuses its request id. Lambda
	// refuses such an answer with 410 Gone. The runtime echoes it only when
	// /next sent it (aws-lambda-rust-runtime PR #1159, aws-lambda-dotnet PR
	// #2508, aws-lambda-cpp PR #221).
	HeaderInvocationID = "Lambda-Runtime-Invocation-Id"
)

// InitTypeEnv says how Lambda initialises the environment; InitSnapStart
// is its value when the init is snapshotted (AWS "Lambda environment
// variables", AWS_LAMBDA_INITIALIZATION_TYPE).
const (
	InitTypeEnv   = "AWS_LAMBDA_INITIALIZATION_TYPE"
	InitSnapStart = "snap-start"
)

// StatusGone is the Runtime API's answer to a post for an invocation that
// is gone (it timed out, and its request id may now be another's): the
// runtime drops the answer and takes the next invocation.
const StatusGone = 410

// Headers the runtime sends.
const (
	HeaderErrorType    = "Lambda-Runtime-Function-Error-Type"
	HeaderResponseMode = "Lambda-Runtime-Function-Response-Mode" // "streaming"
	HeaderErrorBody    = "Lambda-Runtime-Function-Error-Body"    // trailer, base64
	ResponseModeStream = "streaming"
	ContentTypeError   = "application/vnd.aws.lambda.error+json"
	// ContentTypeHTTPIntegration marks a streamed Function URL response that
	// starts with a JSON prelude, then 8 NUL bytes, then the body.
	ContentTypeHTTPIntegration = "application/vnd.awslambda.http-integration-response"
)

// MaxPayload is Lambda's limit for an event (the Invoke request): 6 MB.
const MaxPayload = 6 * 1024 * 1024 // 6,291,456 bytes

// MaxResponse is Lambda's limit for a buffered response: 6 MiB + 100
// bytes, as in the AWS Runtime Interface Emulator's
// internal/lambda/interop/model.go (MaxPayloadSize = 6*1024*1024 + 100),
// whose 413 and Function.ResponseSizeTooLarge messages name 6291556.
const MaxResponse = MaxPayload + 100 // 6,291,556 bytes

// MaxStreamedPayload is Lambda's limit for a streamed response: 200 MB
// since 2025-07 (AWS "Response streaming for Lambda functions"; 20 MB before).
const MaxStreamedPayload = 200 * 1024 * 1024

// Error types used by this runtime. The "Runtime." and "Sandbox." ones are
// the names Lambda itself reports, so alarms and dashboards keep working.
const (
	ErrTypeExit            = "Runtime.ExitError"
	ErrTypeTimeout         = "Sandbox.Timedout"
	ErrTypeResponseTooBig  = "Function.ResponseSizeTooLarge"
	ErrTypeHandlerNotFound = "Runtime.HandlerNotFound"
	ErrTypeInvalidHandler  = "Runtime.InvalidEntrypoint"
	ErrTypeInitError       = "Runtime.InitError"
	ErrTypeUnknown         = "Runtime.Unknown"
	ErrTypeTruncated       = "Runtime.TruncatedResponse"
	ErrTypeAPIRefused      = "Runtime.ResponseRefused"
	ErrTypeBadConfig       = "Runtime.InvalidConfig"
)

// Invocation is one event handed out by GET /next.
type Invocation struct {
	RequestID       string
	DeadlineMs      int64 // Unix milliseconds
	FunctionARN     string
	TraceID         string
	ClientContext   string
	CognitoIdentity string
	TenantID        string
	InvocationID    string // Lambda-Runtime-Invocation-Id; empty when /next sent none
	// MalformedInvocationID is an invocation id /next sent that cannot be
	// echoed in a header (it is then not echoed), kept for the log.
	MalformedInvocationID string
	Payload               []byte
	Received              time.Time // when /next answered, for Budget
}

// Budget is the time the invocation had from its receipt to its deadline,
// to 10 ms: the function's timeout, as the runtime can know it.
func (inv *Invocation) Budget() time.Duration {
	return time.UnixMilli(inv.DeadlineMs).Sub(inv.Received).Round(10 * time.Millisecond)
}

// ValidRequestID accepts the ids Lambda hands out (UUIDs) and any other
// token of letters, digits, '-', '_' and '.', up to 128 bytes: a request
// id becomes part of a request path.
func ValidRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return id != "." && id != ".."
}

// ParseDeadline reads the Lambda-Runtime-Deadline-Ms header value.
func ParseDeadline(v string) (int64, error) {
	return strconv.ParseInt(v, 10, 64)
}

// The Extensions API (version 2020-01-01) shares the Runtime API's
// endpoint. faas-runtime uses it when Lambda starts it as an external
// extension (from /opt/extensions), the way AWS Lambda Web Adapter runs.
const (
	ExtensionVersion         = "2020-01-01"
	PathExtensionRegister    = "/" + ExtensionVersion + "/extension/register"
	PathExtensionNext        = "/" + ExtensionVersion + "/extension/event/next"
	PathExtensionInitError   = "/" + ExtensionVersion + "/extension/init/error"
	PathExtensionExitError   = "/" + ExtensionVersion + "/extension/exit/error"
	HeaderExtensionName      = "Lambda-Extension-Name"       // on register: the executable's basename
	HeaderExtensionID        = "Lambda-Extension-Identifier" // answered by register, sent on every later call
	HeaderExtensionErrorType = "Lambda-Extension-Function-Error-Type"

	ExtensionEventInvoke   = "INVOKE"
	ExtensionEventShutdown = "SHUTDOWN"
)

// ExtensionEvent is what /extension/event/next answers.
type ExtensionEvent struct {
	EventType          string `json:"eventType"`
	DeadlineMs         int64  `json:"deadlineMs"`
	RequestID          string `json:"requestId,omitempty"`
	InvokedFunctionArn string `json:"invokedFunctionArn,omitempty"`
	ShutdownReason     string `json:"shutdownReason,omitempty"`
	Tracing            *struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"tracing,omitempty"`
}
