package soak

import (
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

var (
	serveN      = flag.Int("soak.serve-n", 300, "invocations of 1 MiB through runtime-init serve (make soak-serve: 10,000)")
	serveReport = flag.String("soak.serve-report", "", "also write the RSS figures (markdown) to this file")
)

// TestServeMemory sends invocations of 1 MiB through runtime-init serve
// (an aws-lambda-go echo as the runtime) and checks that serve's resident
// memory stays flat: it keeps no payload once an invocation has ended.
// It grew by about 1 MiB per invocation while the emulator kept a ledger
// of every payload. The traffic takes turns: a synchronous Invoke, an
// asynchronous one (waited for through its on-success destination record,
// which is then removed), and an InvokeWithResponseStream whose 1 MiB
// answer aws-lambda-go streams.
func TestServeMemory(t *testing.T) {
	testutil.Slow(t, "hundreds of 1 MiB invocations through serve")
	done := t.TempDir()
	url, cmd := testutil.Serve(t, nil, "--no-report", "--on-success", done, "--runtime", testutil.Binary(t, "./test/awsgofn"), "--", "echo")
	streamURL := strings.Replace(strings.Replace(url, "/2015-03-31/", "/2021-11-15/", 1), "/invocations", "/response-streaming-invocations", 1)
	event := append(append([]byte{'"'}, bytes.Repeat([]byte("a"), 1<<20-2)...), '"')
	invoke := func(i int) {
		switch i % 3 {
		case 0:
			code, _, b := testutil.Post(t, url, event)
			if code != 200 || len(b) < len(event) || !bytes.Equal(b[:len(event)], event) {
				t.Fatalf("invocation %d: %d, %d bytes", i, code, len(b))
			}
		case 1:
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(event))
			req.Header.Set("X-Amz-Invocation-Type", "Event")
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != 202 {
				t.Fatalf("async invocation %d: %v %v", i, err, resp)
			}
			resp.Body.Close()
			record := filepath.Join(done, resp.Header.Get("X-Amzn-RequestId")+".json")
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
				if os.Remove(record) == nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("async invocation %d: no destination record", i)
				}
			}
		case 2:
			code, h, b := testutil.Post(t, streamURL, []byte(`{"size":1048576}`))
			if code != 200 || h.Get("Content-Type") != "application/vnd.amazon.eventstream" || len(b) < 1<<20 || !bytes.Contains(b, []byte("InvokeComplete")) {
				t.Fatalf("streamed invocation %d: %d %v, %d bytes", i, code, h, len(b))
			}
		}
	}
	rss := func() float64 {
		kib, err := testutil.RSSKiB(cmd.Process.Pid)
		if err != nil {
			t.Fatal(err)
		}
		return kib / 1024
	}
	const warmUp = 50
	for i := range warmUp {
		invoke(i)
	}
	start, peak := rss(), 0.0
	for i := range *serveN {
		invoke(i)
		if i%100 == 99 {
			peak = max(peak, rss())
		}
	}
	end := rss()
	peak = max(peak, end)
	summary := fmt.Sprintf("| %d invocations of 1 MiB (after %d to warm up) | %.1f MiB | %.1f MiB | %.1f MiB |\n", *serveN, warmUp, start, peak, end)
	t.Logf("serve RSS: start %.1f MiB, peak %.1f MiB, end %.1f MiB", start, peak, end)
	if *serveReport != "" {
		os.WriteFile(*serveReport, []byte("| run | RSS start | RSS peak | RSS end |\n| --- | --- | --- | --- |\n"+summary), 0o644)
	}
	// Flat: within a few MiB of the start (two events in flight at most).
	if end > start+8 || peak > start+16 {
		t.Errorf("serve's RSS grew from %.1f MiB to %.1f (peak %.1f) over %d invocations of 1 MiB", start, end, peak, *serveN)
	}
}
