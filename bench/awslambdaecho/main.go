// Command awslambdaecho is the baseline of the benchmarks: the smallest
// bootstrap aws-lambda-go makes, an in-process echo handler started with
// lambda.Start. Build it as the benchmark does:
//
//	CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags "-s -w" ./bench/awslambdaecho
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, ev json.RawMessage) (json.RawMessage, error) { return ev, nil })
}
