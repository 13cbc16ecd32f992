package invokeapi

import (
	"encoding/json"
	"fmt"
)

// Lambda's request payload limits (Invoke API reference: "For synchronous
// invocations, the maximum payload size is 6 MB. For asynchronous
// invocations, the maximum payload size is 1 MB.").
const (
	MaxSyncPayload  = 6 * 1024 * 1024 // 6,291,456 bytes
	MaxAsyncPayload = 1024 * 1024     // 1,048,576 bytes
)

// The invocation types (X-Amz-Invocation-Type).
const (
	RequestResponse = "RequestResponse"
	Event           = "Event"
	DryRun          = "DryRun"
)

// Refusal is the Invoke API refusing a request before any function sees it.
type Refusal struct {
	Status  int
	Type    string
	Message string
}

func (r *Refusal) Error() string { return r.Type + ": " + r.Message }

// CheckPayload refuses what Lambda refuses of an event: more than the
// invocation type's limit, or anything but JSON. An empty payload is
// allowed (an Invoke without Payload). runtime-init invoke uses it too.
func CheckPayload(payload []byte, invocationType string) *Refusal {
	if ref := CheckSize(int64(len(payload)), invocationType); ref != nil {
		return ref
	}
	if len(payload) > 0 && !json.Valid(payload) {
		var v any
		err := json.Unmarshal(payload, &v)
		return &Refusal{400, ErrInvalidRequestContent, "Could not parse request body into json: " + err.Error()}
	}
	return nil
}

// CheckSize refuses a payload of size bytes over the invocation type's limit.
func CheckSize(size int64, invocationType string) *Refusal {
	limit := int64(MaxSyncPayload)
	if invocationType == Event {
		limit = MaxAsyncPayload
	}
	if size > limit {
		return &Refusal{413, ErrRequestTooLarge, fmt.Sprintf(
			"%d byte payload is too large for the %s invocation type (limit %d bytes)", size, invocationType, limit)}
	}
	return nil
}
