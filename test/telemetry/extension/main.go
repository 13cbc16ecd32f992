// Command extension is a Lambda extension written from AWS's documentation
// alone, to check the emulator's Telemetry API and Logs API without
// trusting the emulator's own code: it imports nothing of it. It follows
//
//	Extensions API:  https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html
//	Telemetry API:   https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api-reference.html
//	Logs API:        https://docs.aws.amazon.com/lambda/latest/dg/runtimes-logs-api.html
//
// It registers for INVOKE and SHUTDOWN, listens on a loopback port,
// subscribes to the Telemetry API (all three types; then tries the Logs
// API too, which Lambda refuses, and writes the status to
// $TELEMETRY_OUT.other) or, with EXT_API=logs, to the Logs API (platform
// and function), and appends every batch it is sent, one JSON array per
// line, to $TELEMETRY_OUT or $LOGS_OUT.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

func main() {
	log.SetFlags(0)
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API")
	name := filepath.Base(os.Args[0])

	// Register: POST /2020-01-01/extension/register with the name header.
	req, _ := http.NewRequest(http.MethodPost, api+"/2020-01-01/extension/register", bytes.NewReader([]byte(`{"events":["INVOKE","SHUTDOWN"]}`)))
	req.Header.Set("Lambda-Extension-Name", name)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		log.Fatalf("telemetry-ext: register: %v %v", err, resp)
	}
	resp.Body.Close()
	id := resp.Header.Get("Lambda-Extension-Identifier")

	var mu sync.Mutex // the two files are written from the listeners' goroutines
	listen := func(out string) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			f, err := os.OpenFile(out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err == nil {
				f.Write(append(bytes.TrimSpace(body), '\n'))
				f.Close()
			}
			mu.Unlock()
		}))
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		return port
	}
	// The destination host is sandbox.localdomain, as the references say.
	subscribe := func(path string, body map[string]any) int {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPut, api+path, bytes.NewReader(b))
		req.Header.Set("Lambda-Extension-Identifier", id)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatalf("telemetry-ext: subscribe %s: %v", path, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// One API per extension: the Telemetry API, unless EXT_API=logs.
	if os.Getenv("EXT_API") == "logs" {
		code := subscribe("/2020-08-15/logs", map[string]any{
			"types":       []string{"platform", "function"},
			"buffering":   map[string]int{"maxItems": 1000, "maxBytes": 262144, "timeoutMs": 25},
			"destination": map[string]string{"protocol": "HTTP", "URI": "http://sandbox.localdomain:" + listen(os.Getenv("LOGS_OUT"))},
		})
		if code != 200 {
			log.Fatalf("telemetry-ext: Logs API subscription: %d", code)
		}
	} else {
		code := subscribe("/2022-07-01/telemetry", map[string]any{
			"schemaVersion": "2022-12-13",
			"types":         []string{"platform", "function", "extension"},
			"buffering":     map[string]int{"maxItems": 1000, "maxBytes": 262144, "timeoutMs": 25},
			"destination":   map[string]string{"protocol": "HTTP", "URI": "http://sandbox.localdomain:" + listen(os.Getenv("TELEMETRY_OUT"))},
		})
		if code != 200 {
			log.Fatalf("telemetry-ext: Telemetry API subscription: %d", code)
		}
		// "After subscribing with one of these APIs, any attempt to
		// subscribe with the other API returns an error": record the answer.
		other := subscribe("/2020-08-15/logs", map[string]any{"types": []string{"platform"},
			"destination": map[string]string{"protocol": "HTTP", "URI": "http://sandbox.localdomain:1"}})
		os.WriteFile(os.Getenv("TELEMETRY_OUT")+".other", []byte(fmt.Sprint(other)), 0o644)
	}
	log.Printf("telemetry-ext: subscribed")

	for {
		req, _ := http.NewRequest(http.MethodGet, api+"/2020-01-01/extension/event/next", nil)
		req.Header.Set("Lambda-Extension-Identifier", id)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatalf("telemetry-ext: next: %v", err)
		}
		var ev struct{ EventType string }
		json.NewDecoder(resp.Body).Decode(&ev)
		resp.Body.Close()
		if ev.EventType == "SHUTDOWN" {
			time.Sleep(100 * time.Millisecond) // the last batches are in flight
			fmt.Fprintln(os.Stderr, "telemetry-ext: shutdown")
			return
		}
	}
}
