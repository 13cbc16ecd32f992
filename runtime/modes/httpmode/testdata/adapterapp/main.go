// Command adapterapp is the web app of the adapter-compatibility tests
// (adapter_test.go): it answers with whatever status, headers and body the
// query asks for, so each rule of AWS Lambda Web Adapter can be checked
// through the real faas-runtime binary.
//
//	GET  /                 readiness: "ok"
//	ANY  /echo             the request as JSON: method, path, query, headers, body
//	ANY  /respond?status=S&ct=T&ce=E&hint=H&body=B&b64=X
//	                       status S; Content-Type T (no Content-Type at all
//	                       when ct is absent); Content-Encoding E;
//	                       x-lambda-http-content-encoding H; body B, or the
//	                       base64-decoded X
//	GET  /env?name=N       the app's own environment variable N
//	POST /events           pass-through: the event and the request headers
//	POST /plain            pass-through answered with text that is not JSON
//	POST /snapstart/P      records P (a SnapStart hook call); 204
//	GET  /snapstart-log    the recorded hook calls, comma-separated
//	GET  /bytes?n=N        N bytes of 'x', flushed every 64 KiB (response streaming)
//
// ADAPTERAPP_HOST (default 127.0.0.1) and PORT (or AWS_LWA_PORT) are where
// it listens;
// ADAPTERAPP_START_DELAY_MS delays binding; ADAPTERAPP_EXIT_AT_START=N
// makes it print to stderr and exit with status N before binding.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	if code, _ := strconv.Atoi(os.Getenv("ADAPTERAPP_EXIT_AT_START")); code != 0 {
		fmt.Fprintln(os.Stderr, "adapterapp: missing configuration, exiting before listening")
		os.Exit(code)
	}
	host := os.Getenv("ADAPTERAPP_HOST")
	if host == "" {
		host = "127.0.0.1"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("/echo", echo)
	mux.HandleFunc("/echo/", echo)
	mux.HandleFunc("POST /events", echo)
	mux.HandleFunc("POST /plain", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "not json")
	})
	var hooksMu sync.Mutex
	var hooks []string
	mux.HandleFunc("POST /snapstart/{phase}", func(w http.ResponseWriter, r *http.Request) {
		hooksMu.Lock()
		hooks = append(hooks, r.PathValue("phase"))
		hooksMu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /snapstart-log", func(w http.ResponseWriter, r *http.Request) {
		hooksMu.Lock()
		defer hooksMu.Unlock()
		io.WriteString(w, strings.Join(hooks, ","))
	})
	mux.HandleFunc("GET /bytes", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
		w.Header().Set("Content-Type", "application/octet-stream")
		chunk := []byte(strings.Repeat("x", 64<<10))
		for n > 0 {
			k := min(n, int64(len(chunk)))
			if _, err := w.Write(chunk[:k]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			n -= k
		}
	})
	mux.HandleFunc("GET /env", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, os.Getenv(r.URL.Query().Get("name")))
	})
	mux.HandleFunc("/respond", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		h := w.Header()
		if q.Has("ct") {
			h.Set("Content-Type", q.Get("ct"))
		} else {
			h["Content-Type"] = nil // no sniffing: no Content-Type at all
		}
		if q.Has("ce") {
			h.Set("Content-Encoding", q.Get("ce"))
		}
		if q.Has("hint") {
			h.Set("X-Lambda-Http-Content-Encoding", q.Get("hint"))
		}
		body := []byte(q.Get("body"))
		if q.Has("b64") {
			var err error
			if body, err = base64.StdEncoding.DecodeString(q.Get("b64")); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		status, _ := strconv.Atoi(q.Get("status"))
		if status == 0 {
			status = 200
		}
		w.WriteHeader(status)
		w.Write(body)
	})
	if ms, _ := strconv.Atoi(os.Getenv("ADAPTERAPP_START_DELAY_MS")); ms > 0 {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	port := os.Getenv("PORT")
	if port == "" { // the extension layout: Lambda starts the app, not faas-runtime
		port = os.Getenv("AWS_LWA_PORT")
	}
	addr := host + ":" + port
	log.Printf("adapterapp: listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, mux))
}

func echo(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"method":  r.Method,
		"path":    r.URL.EscapedPath(),
		"query":   r.URL.RawQuery,
		"host":    r.Host,
		"headers": r.Header,
		"body":    string(b),
	})
}
