package emulator

// How the emulator writes its answers and reads the errors posted to it.

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// renderError answers with Lambda's error body.
func renderError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(api.NewError(typ, msg).JSON())
}

// renderAccepted is the Runtime API's 202 to a post it took, as RIE's
// rendering.RenderAccepted writes it.
func renderAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`+"\n")
}

// reportedError reads an error a runtime or an extension posted: the type
// from the header, else from the body's errorType, else Lambda's fallback
// "Unhandled"; the message from the body's errorMessage, else the body's
// text. Every error post the emulator serves is parsed here.
func reportedError(typeHeader string, body []byte) *api.Error {
	var parsed api.Error
	isJSON := json.Unmarshal(body, &parsed) == nil
	ae := api.NewError(typeHeader, parsed.Message)
	if ae.Type == "" {
		ae.Type = parsed.Type
	}
	if ae.Type == "" {
		ae.Type = ErrTypeUnhandled
	}
	if !isJSON || parsed.Message == "" {
		ae.Message = strings.TrimSpace(string(body))
	}
	return ae
}
