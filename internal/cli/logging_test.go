package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// AWS_LAMBDA_LOG_FORMAT=JSON through runtime-init invoke and the real
// runtime: every line faas-runtime writes is one JSON object with Lambda's
// fields, the invocation's with its requestId; AWS_LAMBDA_LOG_LEVEL
// filters. The function writes nothing to stderr, so every line is the
// runtime's but the emulator's own system lines (START, END, REPORT), which
// are Lambda's, not faas-runtime's.
func TestJSONLogsThroughInvoke(t *testing.T) {
	fn := filepath.Join(t.TempDir(), "fn.sh")
	os.WriteFile(fn, []byte("#!/bin/sh\ncat\n"), 0o755)
	_, logs, code := runCLI(t, `{"a":1}`, "invoke", "--event", "-", "--env", "AWS_LAMBDA_LOG_FORMAT=JSON", "--env", "AWS_LAMBDA_LOG_LEVEL=DEBUG", "--", fn)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, logs)
	}
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	withID := 0
	var own []string
	for _, l := range lines {
		if !platformLine(l) {
			own = append(own, l)
		}
	}
	lines = own
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("not one JSON object: %q\n%s", l, logs)
		}
		ts, _ := rec["timestamp"].(string)
		if _, err := time.Parse(time.RFC3339Nano, ts); err != nil || rec["level"] == nil || rec["message"] == nil {
			t.Errorf("fields missing: %v", rec)
		}
		if rec["requestId"] != nil {
			withID++
		}
	}
	if len(lines) < 3 || withID == 0 {
		t.Errorf("want init, the invocation's line with its requestId, shutdown:\n%s", logs)
	}
	// At WARN nothing of a good invocation is left.
	_, logs, code = runCLI(t, `{}`, "invoke", "--event", "-", "--env", "AWS_LAMBDA_LOG_FORMAT=JSON", "--env", "AWS_LAMBDA_LOG_LEVEL=WARN", "--", fn)
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		if code != 0 || l != "" && !platformLine(l) {
			t.Errorf("exit %d, a line at WARN: %q", code, l)
		}
	}
}

func platformLine(l string) bool {
	for _, p := range []string{"START ", "END ", "REPORT ", "INIT_REPORT "} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}
