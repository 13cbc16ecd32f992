package testutil

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
)

// Serve starts `runtime-init serve --listen ADDR args...` from the
// repository root, waits until it serves and returns the invoke URL and
// the process; it is killed (by PID) when the test ends. Its stderr (the
// function's logs) goes to logs when that is not nil.
func Serve(t testing.TB, logs io.Writer, args ...string) (invokeURL string, cmd *exec.Cmd) {
	t.Helper()
	return ServeRaw(t, logs, append([]string{"--listen", "127.0.0.1:" + FreePort(t)}, args...)...)
}

// ServeRaw is Serve with the whole argument list given, --listen included;
// the invoke URL is read from serve's "serving" line.
func ServeRaw(t testing.TB, logs io.Writer, args ...string) (invokeURL string, cmd *exec.Cmd) {
	t.Helper()
	cmd = exec.Command(Binary(t, "./cmd/runtime-init"), append([]string{"serve"}, args...)...)
	cmd.Dir = RepoRoot(t)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if logs == nil {
		logs = io.Discard
	}
	sc := bufio.NewScanner(stderr)
	var head []string
	for sc.Scan() {
		head = append(head, sc.Text())
		if _, url, ok := strings.Cut(sc.Text(), " on "); ok && strings.Contains(sc.Text(), "serving") {
			go io.Copy(logs, stderr)
			url, _, _ = strings.Cut(url, " ")
			return url, cmd
		}
	}
	t.Fatalf("runtime-init serve %v did not start:\n%s", args, strings.Join(head, "\n"))
	return "", nil
}

// Post sends one event to an invoke URL and returns the answer's status,
// headers and body.
func Post(t testing.TB, url string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}
