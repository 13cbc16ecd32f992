package sandbox_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/sandbox"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// counter is the invoker's end of a streamed response: it counts, keeps
// nothing.
type counter struct{ n atomic.Int64 }

func (c *counter) Write(p []byte) (int, error) { c.n.Add(int64(len(p))); return len(p), nil }

// peakRSSKiB is a process's high-water mark of resident memory (VmHWM).
func peakRSSKiB(t *testing.T, pid int) int {
	t.Helper()
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// Lambda's 200 MB streaming limit, end to end through the real
// faas-runtime in exec mode (FAAS_EXEC_INVOKE_MODE=response_stream) and
// http mode (AWS_LWA_INVOKE_MODE=response_stream): exactly the limit
// arrives whole, one byte more is Function.ResponseSizeTooLarge, and the
// runtime's peak RSS stays flat, as nothing of the stream is buffered.
func TestStream200MB(t *testing.T) {
	testutil.Slow(t, "streams 400 MB through each of two modes")
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc for the runtime's peak RSS")
	}
	rt := testutil.Binary(t, "./cmd/faas-runtime")
	app := testutil.Binary(t, "./runtime/modes/httpmode/testdata/adapterapp")
	script := filepath.Join(t.TempDir(), "bytes.sh")
	// head -c N /dev/zero: the event is N.
	os.WriteFile(script, []byte("#!/bin/sh\nexec head -c \"$(cat)\" /dev/zero\n"), 0o755)
	port := testutil.FreePort(t)
	for _, tc := range []struct {
		name  string
		cmd   []string
		env   []string
		slack int64 // bytes of the limit that are not the body (http mode's prelude)
		event func(n int64) string
	}{
		{"exec", []string{rt, script}, []string{"FAAS_EXEC_INVOKE_MODE=response_stream"}, 0, func(n int64) string { return strconv.FormatInt(n, 10) }},
		{"http", []string{rt, app}, []string{"AWS_LWA_PORT=" + port, "AWS_LWA_INVOKE_MODE=response_stream"}, 4096, func(n int64) string {
			return `{"version":"2.0","rawPath":"/bytes","rawQueryString":"n=` + strconv.FormatInt(n, 10) + `","headers":{},"requestContext":{"http":{"method":"GET","path":"/bytes"}},"isBase64Encoded":false}`
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &testutil.SyncBuffer{}
			sb, err := sandbox.Start(sandbox.Options{Command: tc.cmd, Env: tc.env, Timeout: 60 * time.Second, Stdout: logs, Stderr: logs})
			if err != nil {
				t.Fatal(err)
			}
			defer sb.Close()
			invoke := func(n int64) (*emulator.Result, int64) {
				c := &counter{}
				ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
				defer cancel()
				res, err := sb.Invoke(ctx, []byte(tc.event(n)), emulator.InvokeOptions{Stream: c})
				if err != nil {
					t.Fatal(err)
				}
				return res, c.n.Load()
			}
			// A small stream first: the baseline.
			if res, got := invoke(1 << 20); res.Failed() || !res.Streamed {
				t.Fatalf("1 MiB: %+v (%d bytes)\n%s", res, got, logs)
			}
			base := peakRSSKiB(t, sb.PID())
			start := time.Now()
			// The prelude of http mode's streamed response counts against
			// the limit too, so the body there is a little short of it.
			size := int64(api.MaxStreamedPayload) - tc.slack
			res, got := invoke(size)
			took := time.Since(start)
			if res.Failed() || !res.Streamed || got < size {
				t.Fatalf("%d bytes: %+v, %d arrived\n%s", api.MaxStreamedPayload, res, got, logs)
			}
			peak := peakRSSKiB(t, sb.PID())
			t.Logf("%s: %d bytes in %s; runtime peak RSS %d KiB after 1 MiB, %d KiB after 200 MiB", tc.name, got, took.Round(time.Millisecond), base, peak)
			if peak-base > 8<<10 {
				t.Errorf("the runtime's peak RSS grew by %d KiB while streaming 200 MiB: it buffers", peak-base)
			}
			res, _ = invoke(api.MaxStreamedPayload + 1024)
			if !res.Failed() || res.ErrorType != api.ErrTypeResponseTooBig {
				t.Errorf("over the limit: %+v", res)
			}
		})
	}
}
