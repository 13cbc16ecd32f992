package cli_test

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// serve takes the caller's request id in X-Amzn-RequestId and answers
// with it; an id held by a running invocation is refused 409, and once
// that invocation has timed out (Managed Instances: the function runs on)
// the id can be used again.
func TestServeRequestIDReuse(t *testing.T) {
	fn := filepath.Join(t.TempDir(), "fn.sh")
	os.WriteFile(fn, []byte("#!/bin/sh\nev=$(cat)\n[ \"$ev\" = '\"slow\"' ] && sleep 5\necho \"$LAMBDA_REQUEST_ID\"\n"), 0o755)
	url, _ := testutil.Serve(t, nil, "--timeout", "1s", "--max-concurrency", "2", "--", fn)
	post := func(body, id string) (int, string, string) {
		req, _ := http.NewRequest("POST", url, bytes.NewReader([]byte(body)))
		req.Header.Set("X-Amzn-RequestId", id)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("X-Amzn-RequestId"), string(bytes.TrimSpace(b))
	}
	if code, hdr, body := post(`{}`, "order-42"); code != 200 || hdr != "order-42" || body != "order-42" {
		t.Fatalf("chosen id: %d %q %q", code, hdr, body)
	}
	slow := make(chan int, 1)
	go func() { code, _, _ := post(`"slow"`, "order-43"); slow <- code }()
	time.Sleep(300 * time.Millisecond)
	if code, _, body := post(`{}`, "order-43"); code != http.StatusConflict {
		t.Errorf("an id in use: %d %s, want 409", code, body)
	}
	<-slow // timed out at 1 s
	if code, _, body := post(`{}`, "order-43"); code != 200 || body != "order-43" {
		t.Errorf("the id again after the timeout: %d %s", code, body)
	}
	if code, _, _ := post(`{}`, "no spaces allowed"); code != http.StatusBadRequest {
		t.Errorf("a malformed id: %d, want 400", code)
	}
}
