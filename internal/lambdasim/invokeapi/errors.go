package invokeapi

import (
	"encoding/json"
	"net/http"
)

// The Invoke API's own errors (its "Errors" section), which the AWS SDKs
// read from the X-Amzn-ErrorType header and a {"Type","message"} body.
const (
	ErrResourceNotFound      = "ResourceNotFoundException"      // 404
	ErrInvalidRequestContent = "InvalidRequestContentException" // 400
	ErrRequestTooLarge       = "RequestEntityTooLargeException" // 413
	ErrInvalidParameter      = "InvalidParameterValueException" // 400
	ErrTooManyRequests       = "TooManyRequestsException"       // 429
	ErrResourceConflict      = "ResourceConflictException"      // 409
	ErrService               = "ServiceException"               // 500
)

// renderServiceError answers with one of the API's errors, as Lambda does:
// the type in X-Amzn-ErrorType and the body {"Type":"User","message":...}.
func renderServiceError(w http.ResponseWriter, status int, typ, msg string) {
	who := "User"
	if status >= 500 {
		who = "Service"
	}
	w.Header().Set(headerErrorType, typ)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Type": who, "message": msg})
}
