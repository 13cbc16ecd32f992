// Command blob is the streaming benchmark's function: it writes bytes as
// fast as it can, so that what is measured is the path they take. With
// AWS_LWA_PORT set it is a web app answering GET /blob?n=N with N bytes
// (http mode); otherwise it writes BLOB_BYTES bytes to stdout and ignores
// the event on stdin (exec mode).
package main

import (
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
)

// chunk is written again and again: 64 KiB, a pipe's default capacity.
var chunk = make([]byte, 64<<10)

func write(w io.Writer, n int) error {
	for n > 0 {
		k := min(n, len(chunk))
		if _, err := w.Write(chunk[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

func main() {
	for i := range chunk {
		chunk[i] = 'a' + byte(i%26)
	}
	port := os.Getenv("AWS_LWA_PORT")
	if port == "" {
		n, err := strconv.Atoi(os.Getenv("BLOB_BYTES"))
		if err != nil {
			log.Fatalf("blob: BLOB_BYTES=%q: %v", os.Getenv("BLOB_BYTES"), err)
		}
		if err := write(os.Stdout, n); err != nil {
			log.Fatal(err)
		}
		return
	}
	http.HandleFunc("GET /blob", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil {
			http.Error(w, "n: "+err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(n))
		write(w, n)
	})
	http.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	log.Fatal(http.ListenAndServe("127.0.0.1:"+port, nil))
}
