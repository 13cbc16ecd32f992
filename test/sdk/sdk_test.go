// Package sdk checks runtime-init serve with the client users have: the
// AWS SDK for Go v2's Lambda client, its endpoint set to serve. It is a
// module of its own so that the SDK stays out of the main module; it
// imports nothing of the emulator and drives the real binaries, built from
// the checkout. Whatever the SDK cannot parse is a bug in serve.
package sdk

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

// build compiles a command of the checkout into dir.
func build(t *testing.T, dir, pkg string) string {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = "../.."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// serve starts runtime-init serve with args on a free port, stops it by
// PID at the end, and returns a Lambda client pointed at it.
func serve(t *testing.T, runtimeInit string, args ...string) *lambda.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(runtimeInit, append([]string{"serve", "--listen", addr}, args...)...)
	cmd.Dir = "../.."
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	sc := bufio.NewScanner(stderr)
	for sc.Scan() && !strings.Contains(sc.Text(), "serving") {
	}
	go func() {
		for sc.Scan() {
		}
	}()
	cfg := aws.Config{Region: "us-east-1", Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"}, nil
	})}
	return lambda.NewFromConfig(cfg, func(o *lambda.Options) {
		o.BaseEndpoint = aws.String("http://" + addr)
		o.RetryMaxAttempts = 1
	})
}

func TestInvokeWithTheAWSSDK(t *testing.T) {
	dir := t.TempDir()
	rt := build(t, dir, "./cmd/runtime-init")
	fail := filepath.Join(dir, "fail.sh")
	if err := os.WriteFile(fail, []byte("#!/bin/sh\ncat >/dev/null\necho '{\"errorType\":\"Oops\",\"errorMessage\":\"no\"}'\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	client := serve(t, rt, "--retry-delay", "10ms", "--function", "echo=examples/echo-sh/handler.sh", "--function", "fail="+fail)
	ctx := context.Background()

	out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"n":1}`), LogType: types.LogTypeTail})
	if err != nil {
		t.Fatalf("RequestResponse: %v", err)
	}
	logs, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if out.StatusCode != 200 || !strings.Contains(string(out.Payload), `"event":{"n":1}`) || aws.ToString(out.ExecutedVersion) != "$LATEST" ||
		out.FunctionError != nil || !strings.Contains(string(logs), "REPORT RequestId: ") {
		t.Fatalf("RequestResponse: %d %s %v %v\n%s", out.StatusCode, out.Payload, aws.ToString(out.ExecutedVersion), out.FunctionError, logs)
	}

	out, err = client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:000000000000:function:fail"), Payload: []byte(`{}`)})
	if err != nil || out.StatusCode != 200 || aws.ToString(out.FunctionError) != "Unhandled" {
		t.Fatalf("function error: %v %+v", err, out)
	}

	out, err = client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{}`)})
	if err != nil || out.StatusCode != 202 {
		t.Fatalf("Event: %v %+v", err, out)
	}
	out, err = client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), InvocationType: types.InvocationTypeDryRun, Payload: []byte(`{}`)})
	if err != nil || out.StatusCode != 204 {
		t.Fatalf("DryRun: %v %+v", err, out)
	}

	var notFound *types.ResourceNotFoundException
	if _, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("nope"), Payload: []byte(`{}`)}); !errors.As(err, &notFound) {
		t.Fatalf("unknown function: %v", err)
	}
	var badContent *types.InvalidRequestContentException
	if _, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`not json`)}); !errors.As(err, &badContent) {
		t.Fatalf("non-JSON payload: %v", err)
	}
	// Lambda's wire code is RequestEntityTooLargeException, which this SDK
	// has no type for (it models RequestTooLargeException): a generic API
	// error with that code, as from Lambda.
	var apiErr smithy.APIError
	big := []byte(`"` + strings.Repeat("a", 1<<20) + `"`)
	if _, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), InvocationType: types.InvocationTypeEvent, Payload: big}); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "RequestEntityTooLargeException" {
		t.Fatalf("1 MB async payload: %v", err)
	}
}

func TestInvokeWithResponseStreamWithTheAWSSDK(t *testing.T) {
	dir := t.TempDir()
	rt := build(t, dir, "./cmd/runtime-init")
	app := build(t, dir, "./examples/http-go")
	port := freePort(t)
	client := serve(t, rt, "--env", "AWS_LWA_PORT="+port, "--env", "AWS_LWA_INVOKE_MODE=response_stream", "--", app)
	event, err := os.ReadFile("../../examples/http-go/stream-event.json")
	if err != nil {
		t.Fatal(err)
	}
	out, err := client.InvokeWithResponseStream(context.Background(), &lambda.InvokeWithResponseStreamInput{
		FunctionName: aws.String("function"), Payload: event, LogType: types.LogTypeTail,
	})
	if err != nil {
		t.Fatalf("InvokeWithResponseStream: %v", err)
	}
	stream := out.GetStream()
	defer stream.Close()
	var chunks []string
	var arrived []time.Time
	var done *types.InvokeWithResponseStreamCompleteEvent
	for ev := range stream.Events() {
		switch v := ev.(type) {
		case *types.InvokeWithResponseStreamResponseEventMemberPayloadChunk:
			chunks = append(chunks, string(v.Value.Payload))
			arrived = append(arrived, time.Now())
		case *types.InvokeWithResponseStreamResponseEventMemberInvokeComplete:
			done = &v.Value
		default:
			t.Fatalf("unexpected event %T", ev)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("stream: %v", err)
	}
	body := strings.Join(chunks, "")
	if out.StatusCode != 200 || aws.ToString(out.ExecutedVersion) != "$LATEST" || done == nil || done.ErrorCode != nil {
		t.Fatalf("stream: %d %q %+v", out.StatusCode, aws.ToString(out.ExecutedVersion), done)
	}
	// http-go sends 3 chunks 250 ms apart: they arrive as separate events,
	// spread out, not all at the end.
	if len(chunks) < 3 || arrived[len(arrived)-1].Sub(arrived[0]) < 300*time.Millisecond {
		t.Fatalf("chunks %q arrived at %v", chunks, arrived)
	}
	logs, _ := base64.StdEncoding.DecodeString(aws.ToString(done.LogResult))
	if !strings.Contains(string(logs), "REPORT RequestId: ") || body == "" {
		t.Fatalf("body %q, log %s", body, logs)
	}
	t.Logf("%d events, body %q", len(chunks), body)
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}
