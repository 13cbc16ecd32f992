// Command faultyhttp is the soak test's http-mode web app: events arrive
// on the pass-through path (POST /events) and name the fault to commit,
// e.g. {"fault":"crash","n":17}. Anything else is echoed back.
package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"
)

func main() {
	port := os.Getenv("AWS_LWA_PORT")
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	http.HandleFunc("POST /events", func(w http.ResponseWriter, r *http.Request) {
		event, _ := io.ReadAll(r.Body)
		var ev struct {
			Fault string `json:"fault"`
		}
		json.Unmarshal(event, &ev)
		switch ev.Fault {
		case "crash": // the app dies mid-request
			os.Stderr.WriteString("faultyhttp: exiting mid-request\n")
			os.Exit(1)
		case "killed": // killed from outside mid-request
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			time.Sleep(time.Second)
		case "exit": // a 500 listed in AWS_LWA_ERROR_STATUS_CODES
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, "internal error")
			return
		case "hang":
			time.Sleep(time.Hour)
		case "stderr":
			line := strings.Repeat("log line flooding stderr ", 40) + "\n"
			for i := 0; i < 2000; i++ {
				os.Stderr.WriteString(line)
			}
		case "oversize":
			chunk := []byte(strings.Repeat("x", 1<<20))
			for i := 0; i < 7; i++ {
				w.Write(chunk)
			}
			return
		case "garbage":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write([]byte{0xff, 0xfe, 0x00, 0x01, '{', '{', 0x80})
			return
		case "slow":
			time.Sleep(100 * time.Millisecond)
		case "sigterm":
			time.Sleep(2 * time.Second)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(event)
	})
	if err := http.ListenAndServe("127.0.0.1:"+port, nil); err != nil {
		os.Stderr.WriteString("faultyhttp: " + err.Error() + "\n")
		os.Exit(1)
	}
}
