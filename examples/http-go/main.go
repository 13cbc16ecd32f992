// Command http-go is an http-mode function: an ordinary net/http web app
// that knows nothing about Lambda. faas-runtime starts it, waits for GET /
// to answer, and turns each event into a request to it. Run it as
//
//	FAAS_MODE=http runtime-init invoke --event examples/http-go/event.json -- ./http-go
//
// Routes (the tests use them all):
//
//	GET  /               readiness: "ok"
//	ANY  /echo           the request as JSON: method, path, query, headers, body
//	GET  /cookies        two Set-Cookie headers
//	GET  /binary         256 bytes of image/png
//	GET  /text?n=N       N bytes of text/plain (compression, size limits)
//	GET  /status/CODE    an empty answer with that status
//	GET  /stream?n=N&ms=M  N chunks, M ms apart, flushed one by one
//	GET  /stream-die     two chunks, then the app exits (a broken stream)
//	GET  /slow?ms=M      answers after M ms
//	GET  /die            the app exits without answering
//	GET  /concurrent?ms=M  answers after M ms with the peak number of requests in flight
//	POST /events         pass-through events: {"received": EVENT}
//
// HTTP_GO_START_DELAY_MS delays binding the port (async init tests); on
// SIGTERM it logs and shuts down gracefully.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

var (
	mu             sync.Mutex
	inflight, peak int
)

func main() {
	port := os.Getenv("AWS_LWA_PORT")
	if port == "" {
		port = os.Getenv("PORT")
	}
	if port == "" {
		port = "8080"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("/echo", echo)
	mux.HandleFunc("/echo/", echo)
	mux.HandleFunc("GET /cookies", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1", Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2", HttpOnly: true})
		io.WriteString(w, "cookies set")
	})
	mux.HandleFunc("GET /binary", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		b := make([]byte, 256)
		for i := range b {
			b[i] = byte(i)
		}
		w.Write(b)
	})
	mux.HandleFunc("GET /text", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		line := strings.Repeat("all work and no play makes jack a dull boy\n", 1)
		for n > 0 {
			k := min(n, len(line))
			io.WriteString(w, line[:k])
			n -= k
		}
	})
	mux.HandleFunc("GET /status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(r.PathValue("code"))
		if err != nil || code < 100 || code > 999 {
			http.Error(w, "bad code", http.StatusBadRequest)
			return
		}
		w.WriteHeader(code)
	})
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		w.Header().Set("Content-Type", "text/plain")
		for i := 0; i < n; i++ {
			if i > 0 {
				time.Sleep(time.Duration(ms) * time.Millisecond)
			}
			fmt.Fprintf(w, "chunk %d\n", i)
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("GET /stream-die", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		for i := 0; i < 2; i++ {
			fmt.Fprintf(w, "chunk %d\n", i)
			w.(http.Flusher).Flush()
		}
		time.Sleep(20 * time.Millisecond)
		log.Print("http-go: exiting in the middle of a stream, as asked")
		os.Exit(3)
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
			io.WriteString(w, "slow answer")
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("GET /die", func(w http.ResponseWriter, r *http.Request) {
		log.Print("http-go: exiting without an answer, as asked")
		os.Exit(3)
	})
	mux.HandleFunc("POST /events", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"received":       json.RawMessage(b),
			"lambda_context": json.RawMessage(orNull(r.Header.Get("X-Amzn-Lambda-Context"))),
		})
	})
	mux.HandleFunc("GET /concurrent", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inflight++
		peak = max(peak, inflight)
		mu.Unlock()
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		time.Sleep(time.Duration(ms) * time.Millisecond)
		mu.Lock()
		inflight--
		p := peak
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"peak":%d}`, p)
	})
	if ms, _ := strconv.Atoi(os.Getenv("HTTP_GO_START_DELAY_MS")); ms > 0 {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	srv := &http.Server{Addr: "127.0.0.1:" + port, Handler: mux}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		<-sig
		log.Print("http-go: SIGTERM received, shutting down")
		srv.Close()
	}()
	log.Printf("http-go: listening on %s", srv.Addr)
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

func echo(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Echo", "yes")
	json.NewEncoder(w).Encode(map[string]any{
		"method":  r.Method,
		"path":    r.URL.EscapedPath(),
		"query":   r.URL.RawQuery,
		"host":    r.Host,
		"headers": r.Header,
		"body":    string(b),
	})
}

func orNull(s string) string {
	if s == "" {
		return "null"
	}
	return s
}
