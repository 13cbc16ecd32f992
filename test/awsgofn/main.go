// Command awsgofn is an aws-lambda-go function used as the bootstrap
// itself, the second real runtime the emulator's tests run (beside
// faas-runtime). The event says what to do:
//
//	{"size": N}     answer exactly N bytes (as an io.Reader, sent as is)
//	{"sleep": MS}   wait, then answer {"pid", "concurrency", "Start", "End"}
//	{"settings": 1} answer the function settings it was given
//
// anything else is echoed.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Size     int  `json:"size"`
	Sleep    int  `json:"sleep"`
	Settings bool `json:"settings"`
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var ev event
	_ = json.Unmarshal(raw, &ev)
	switch {
	case ev.Size > 0:
		return bytes.NewReader(bytes.Repeat([]byte("a"), ev.Size)), nil
	case ev.Sleep > 0:
		start := time.Now().UnixNano()
		time.Sleep(time.Duration(ev.Sleep) * time.Millisecond)
		return map[string]int64{"pid": int64(os.Getpid()), "concurrency": int64(lambdacontext.MaxConcurrency()),
			"Start": start, "End": time.Now().UnixNano()}, nil
	case ev.Settings:
		lc, _ := lambdacontext.FromContext(ctx)
		return map[string]any{
			"name":      lambdacontext.FunctionName,
			"memory":    lambdacontext.MemoryLimitInMB,
			"version":   lambdacontext.FunctionVersion,
			"logGroup":  lambdacontext.LogGroupName,
			"logStream": lambdacontext.LogStreamName,
			"handler":   os.Getenv("_HANDLER"),
			"timeout":   os.Getenv("AWS_LAMBDA_FUNCTION_TIMEOUT"),
			"arn":       lc.InvokedFunctionArn,
		}, nil
	}
	return raw, nil
}

func main() { lambda.Start(handle) }
