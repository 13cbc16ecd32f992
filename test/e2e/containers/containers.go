// Package containers holds what the end-to-end suites share: a project
// scaffolded by the real CLI (project.go), built by podman (build.go), and
// run the way the suites need it — with podman on the host network, its
// Runtime API pointing at the emulator on loopback (this file).
package containers

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// Invoke runs image with podman, invokes it once through a fresh emulator
// and returns the result; a failed invocation, or a container that exits
// before answering, fails the test. The container is removed.
func Invoke(t *testing.T, image string, event []byte, within time.Duration) *emulator.Result {
	t.Helper()
	em := emulator.New(emulator.Config{Timeout: 60 * time.Second})
	api := strings.TrimPrefix(Serve(t, em.Handler()), "http://")
	name := fmt.Sprintf("faas-e2e-%d", time.Now().UnixNano())
	var logs testutil.SyncBuffer
	cmd := exec.Command("podman", "run", "--rm", "--name", name, "--network", "host", "--pull=never",
		"-e", "AWS_LAMBDA_RUNTIME_API="+api, image)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		exec.Command("podman", "rm", "-f", "-t", "0", name).Run()
		<-exited
	}()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	type result struct {
		r   *emulator.Result
		err error
	}
	got := make(chan result, 1)
	go func() {
		r, err := em.Invoke(ctx, event, emulator.InvokeOptions{})
		got <- result{r, err}
	}()
	select {
	case r := <-got:
		if r.err != nil {
			t.Fatalf("invoke: %v\n%s", r.err, logs.String())
		}
		if r.r.Failed() {
			t.Fatalf("invoke: %s %s\n%s", r.r.Outcome, r.r.Body, logs.String())
		}
		return r.r
	case err := <-exited:
		exited <- err
		t.Fatalf("podman run %s exited before the invocation: %v\n%s", image, err, logs.String())
	}
	return nil
}

// Serve serves h on a loopback port until the test ends.
func Serve(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}
