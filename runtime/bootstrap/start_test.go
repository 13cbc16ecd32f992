//go:build linux

package bootstrap_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// SIGTERM handling is set up late, to keep it off the way to the first
// /next, but in http mode before the web app starts: a SIGTERM while the
// app is still starting is a shutdown (exit 0, the app stopped), not a
// crash of the runtime.
func TestSIGTERMWhileTheWebAppStarts(t *testing.T) {
	rt := testutil.Binary(t, "./cmd/faas-runtime")
	app := testutil.Binary(t, "./examples/http-go")
	ln, err := net.Listen("tcp", "127.0.0.1:0") // the Runtime API: init never ends, so nothing is asked of it
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(rt, app)
	cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=" + ln.Addr().String(), "AWS_LWA_PORT=" + testutil.FreePort(t),
		"HTTP_GO_START_DELAY_MS=5000", "PATH=/usr/bin:/bin"}
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var appPID int
	for deadline := time.Now().Add(5 * time.Second); appPID == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the web app was not started\n%s", stderr.String())
		}
		appPID = child(cmd.Process.Pid)
	}
	time.Sleep(50 * time.Millisecond) // the app is starting (its delay runs 5 s)
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("runtime: %v, want exit 0 after SIGTERM during init\n%s", err, stderr.String())
		}
	case <-time.After(3 * time.Second):
		t.Fatalf("runtime still running 3 s after SIGTERM\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "shutdown during init") {
		t.Errorf("no \"shutdown during init\" in the log:\n%s", stderr.String())
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d/cmdline", appPID)); err == nil {
		if st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", appPID)); !bytes.Contains(st, []byte(") Z ")) {
			t.Errorf("the web app (pid %d) outlived the runtime", appPID)
		}
	}
}

// child is a child process of pid, or 0.
func child(pid int) int {
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if fs := strings.Fields(string(b)); len(fs) > 0 {
			n, _ := strconv.Atoi(fs[0])
			return n
		}
	}
	return 0
}
