package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// FuzzHandler sends arbitrary requests to the emulator: it never panics,
// answers only with the Runtime API's status codes, and every refusal on a
// Runtime API path carries Lambda's error JSON.
func FuzzHandler(f *testing.F) {
	f.Add("GET", api.PathNext, "", []byte(nil))
	f.Add("POST", api.ResponsePath("abc"), "", []byte("{}"))
	f.Add("POST", api.ErrorPath("abc"), "Function.X", []byte(`{"errorMessage":"m"}`))
	f.Add("POST", api.PathInitError, "Runtime.Y", []byte("not json"))
	f.Add("POST", api.PathRIEInvoke, "", []byte(`{"a":1}`))
	f.Add("PUT", "/2018-06-01/runtime/invocation/../../x", "", []byte{0})
	f.Add("POST", api.PathExtensionRegister, "", []byte(`{"events":["INVOKE","SHUTDOWN"]}`))
	f.Add("POST", api.PathExtensionRegister, "", []byte(`{"events":["LOGS"]}`))
	f.Add("GET", api.PathExtensionNext, "", []byte(nil))
	f.Add("POST", api.PathExtensionInitError, "Extension.X", []byte(`{"errorMessage":"m"}`))
	f.Fuzz(func(t *testing.T, method, path, errType string, body []byte) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t") || method == "" || strings.ContainsAny(method, " \r\n\t()<>@,;:\\\"/[]?={}") {
			return // not a request net/http would deliver
		}
		e := New(Config{Timeout: time.Second})
		req, err := http.NewRequest(method, "http://127.0.0.1"+path, bytes.NewReader(body))
		if err != nil {
			return
		}
		if errType != "" && !strings.ContainsAny(errType, "\r\n\x00") {
			req.Header.Set(api.HeaderErrorType, errType)
			req.Header.Set(api.HeaderExtensionName, errType)
			req.Header.Set(api.HeaderExtensionID, errType)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		defer cancel()
		rec := httptest.NewRecorder()
		e.Handler().ServeHTTP(rec, req.WithContext(ctx))
		switch rec.Code {
		case 200, 202, 400, 403, 404, 405, 413, 500:
		case 301, 307, 308: // ServeMux redirecting an unclean path
		default:
			t.Fatalf("%s %s: status %d", method, path, rec.Code)
		}
		runtimeAPI := (strings.HasPrefix(path, "/"+api.Version+"/runtime/") && method == "POST") ||
			strings.HasPrefix(path, "/"+api.ExtensionVersion+"/extension/")
		if runtimeAPI && rec.Code >= 400 && rec.Code != 404 && rec.Code != 405 {
			var ae api.Error
			if err := json.Unmarshal(rec.Body.Bytes(), &ae); err != nil || ae.Type == "" {
				t.Fatalf("%s %s: %d without Lambda's error JSON: %q", method, path, rec.Code, rec.Body.String())
			}
		}
	})
}
