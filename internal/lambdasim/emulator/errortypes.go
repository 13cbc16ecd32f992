package emulator

// The error types the emulator answers with, each named once, as RIE names
// them in internal/lambda/rapi/rendering/rendering.go (Runtime API) and
// internal/lambda/core/agentsmanager.go and rapi/handler/agent*.go
// (Extensions API); the Invoke API's exceptions are package invokeapi's.
// The runtime's own types (Runtime.*, Sandbox.*, Function.*) live in
// runtime/api, which the bootstrap links.
const (
	// Runtime API refusals.
	ErrTypeInvalidStateTransition = "InvalidStateTransition"
	ErrTypeInvalidRequestID       = "InvalidRequestID"
	ErrTypeRequestEntityTooLarge  = "RequestEntityTooLarge"
	ErrTypeTruncatedHTTPRequest   = "TruncatedHTTPRequest"
	// ErrTypeInvokeTimeout answers 410 Gone to a post whose invocation id
	// is not the current one: the name aws-lambda-dotnet PR #2508 gives
	// Lambda's rejection.
	ErrTypeInvokeTimeout = "ErrorRuntimeInvokeTimeout"

	// Extensions API refusals.
	ErrTypeInvalidRequestFormat  = "InvalidRequestFormat"
	ErrTypeExtInvalidName        = "Extension.InvalidExtensionName"
	ErrTypeExtInvalidEventType   = "Extension.InvalidEventType"
	ErrTypeExtRegistrationClosed = "Extension.RegistrationClosed"
	ErrTypeExtTooMany            = "Extension.TooManyExtensions"
	ErrTypeExtInvalidState       = "Extension.InvalidExtensionState"
	ErrTypeExtMissingIdentifier  = "Extension.MissingExtensionIdentifier"
	ErrTypeExtInvalidIdentifier  = "Extension.InvalidExtensionIdentifier"
	ErrTypeExtUnknownIdentifier  = "Extension.UnknownExtensionIdentifier"

	// How an extension failed an execution environment's init.
	ErrTypeExtInitError   = "Extension.InitError"
	ErrTypeExtLaunchError = "Extension.LaunchError"
	ErrTypeExtCrash       = "Extension.Crash"

	// The Telemetry and Logs APIs' answer where they are not served (RIE's
	// rapi/handler/runtimelogs_stub.go).
	ErrTypeTelemetryNotSupported = "Telemetry.NotSupported"
	ErrTypeLogsNotSupported      = "Logs.NotSupported"

	// ErrTypeUnhandled is Lambda's word for a function error that named no
	// type: the X-Amz-Function-Error header's value, and the errorType of a
	// posted error that gave none.
	ErrTypeUnhandled = "Unhandled"
)
