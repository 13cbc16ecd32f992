// Command hello-go is an exec-mode function in Go: it reads the event from
// stdin, writes the response to stdout and fails (exit 1 with a message on
// stderr) when the event asks it to. It uses only the standard library, so
// it builds anywhere: `CGO_ENABLED=0 go build -o hello ./examples/hello-go`.
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

type event struct {
	Name string `json:"name"`
	Fail bool   `json:"fail"`
}

type response struct {
	Message   string `json:"message"`
	RequestID string `json:"requestId"`
}

func main() {
	var ev event
	if err := json.NewDecoder(os.Stdin).Decode(&ev); err != nil {
		fmt.Fprintln(os.Stderr, "hello-go: the event is not the JSON object I expect:", err)
		os.Exit(1)
	}
	if ev.Fail {
		fmt.Fprintln(os.Stderr, "hello-go: failing because the event asked me to")
		os.Exit(3)
	}
	if ev.Name == "" {
		ev.Name = "world"
	}
	json.NewEncoder(os.Stdout).Encode(response{Message: "Hello, " + ev.Name + "!", RequestID: os.Getenv("LAMBDA_REQUEST_ID")})
}
