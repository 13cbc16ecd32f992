package httpmode_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// timedLines reads r line by line and notes when each line containing
// "chunk" arrived.
func timedLines(t *testing.T, r io.Reader) (map[string]time.Time, string) {
	t.Helper()
	at := map[string]time.Time{}
	var all strings.Builder
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		all.WriteString(line)
		if i := strings.Index(line, "chunk "); i >= 0 {
			at[strings.TrimSpace(line[i:])] = time.Now()
		}
		if err != nil {
			return at, all.String()
		}
	}
}

func checkStreamed(t *testing.T, at map[string]time.Time, out string) {
	t.Helper()
	if len(at) != 3 || !strings.Contains(out, "\x00\x00\x00\x00\x00\x00\x00\x00chunk 0\n") {
		t.Fatalf("output %q", out)
	}
	if gap := at["chunk 2"].Sub(at["chunk 0"]); gap < 300*time.Millisecond {
		t.Errorf("chunk 0 arrived only %v before chunk 2: buffered, not streamed", gap)
	}
}

// TestInvokeCLIStreams: `runtime-init invoke` prints a streamed response
// as the chunks arrive.
func TestInvokeCLIStreams(t *testing.T) {
	cli := testutil.Binary(t, "./cmd/runtime-init")
	app := testutil.Binary(t, "./examples/http-go")
	event := filepath.Join(testutil.RepoRoot(t), "examples", "http-go", "stream-event.json")
	cmd := exec.Command(cli, "invoke", "--event", event, "--env", "AWS_LWA_PORT="+testutil.FreePort(t),
		"--env", "AWS_LWA_INVOKE_MODE=response_stream", "--", app)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	at, all := timedLines(t, out)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("runtime-init invoke: %v\n%s", err, stderr.String())
	}
	checkStreamed(t, at, all)
}

// TestServeCLIStreams: `runtime-init serve` forwards a streamed response
// to the HTTP client chunk by chunk.
func TestServeCLIStreams(t *testing.T) {
	cli := testutil.Binary(t, "./cmd/runtime-init")
	app := testutil.Binary(t, "./examples/http-go")
	listen := "127.0.0.1:" + testutil.FreePort(t)
	cmd := exec.Command(cli, "serve", "--listen", listen, "--env", "AWS_LWA_PORT="+testutil.FreePort(t),
		"--env", "AWS_LWA_INVOKE_MODE=response_stream", "--", app)
	var logs testutil.SyncBuffer
	cmd.Stderr, cmd.Stdout = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("serve logs:\n%s", logs.String())
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.Dial("tcp", listen); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never listened on %s", listen)
		}
		time.Sleep(5 * time.Millisecond)
	}
	event, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "examples", "http-go", "stream-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://"+listen+"/2015-03-31/functions/function/invocations", "application/json", bytes.NewReader(event))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	at, all := timedLines(t, resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, all)
	}
	checkStreamed(t, at, all)
}

// TestInvokeCLIAsExtension: `runtime-init invoke --as-extension` runs the
// app the adapter's way (the app is the entrypoint, faas-runtime an
// extension), through runtime-init alone; --extension refuses a missing
// file with a usage error.
func TestInvokeCLIAsExtension(t *testing.T) {
	cli := testutil.Binary(t, "./cmd/runtime-init")
	app := testutil.Binary(t, "./examples/http-go")
	event := filepath.Join(testutil.RepoRoot(t), "examples", "http-go", "event.json")
	cmd := exec.Command(cli, "invoke", "--as-extension", "--event", event, "--env", "AWS_LWA_PORT="+testutil.FreePort(t), "--", app)
	stdout, stderr, code := testutil.Run(t, cmd)
	if code != 0 || !strings.Contains(stdout, `"statusCode":200`) || !strings.Contains(stdout, `\"path\":\"/echo\"`) {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "role=extension") || !strings.Contains(stderr, "shutdown event") {
		t.Errorf("stderr does not show the extension role and its SHUTDOWN:\n%s", stderr)
	}

	cmd = exec.Command(cli, "invoke", "--extension", "/nonexistent/ext", "--", app)
	if _, stderr, code := testutil.Run(t, cmd); code != 2 || !strings.Contains(stderr, "--extension /nonexistent/ext") {
		t.Errorf("missing extension: exit %d, stderr %s", code, stderr)
	}
}
