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
// runtime's, or the platform's: Lambda's own START and REPORT, which JSON
// format turns into {"time","type","record"} objects (platform.start,
// platform.report) and the application log level does not filter.
func TestJSONLogsThroughInvoke(t *testing.T) {
	fn := filepath.Join(t.TempDir(), "fn.sh")
	os.WriteFile(fn, []byte("#!/bin/sh\ncat\n"), 0o755)
	_, logs, code := runCLI(t, `{"a":1}`, "invoke", "--event", "-", "--env", "AWS_LAMBDA_LOG_FORMAT=JSON", "--env", "AWS_LAMBDA_LOG_LEVEL=DEBUG", "--", fn)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, logs)
	}
	lines, platform := runtimeLines(t, logs)
	if platform["platform.start"] != 1 || platform["platform.report"] != 1 {
		t.Errorf("platform records %v, want one platform.start and one platform.report:\n%s", platform, logs)
	}
	withID := 0
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
	if lines, _ := runtimeLines(t, logs); code != 0 || len(lines) != 0 {
		t.Errorf("exit %d, logs at WARN: %q", code, logs)
	}
}

// runtimeLines splits a JSON-format log into the runtime's lines and a
// count of the platform's records by type, checking each record's shape.
func runtimeLines(t *testing.T, logs string) (lines []string, platform map[string]int) {
	t.Helper()
	platform = map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		var ev struct {
			Time   string
			Type   string
			Record map[string]any
		}
		if l == "" || json.Unmarshal([]byte(l), &ev) != nil || !strings.HasPrefix(ev.Type, "platform.") {
			if l != "" {
				lines = append(lines, l)
			}
			continue
		}
		if _, err := time.Parse(time.RFC3339Nano, ev.Time); err != nil || ev.Record["requestId"] == nil {
			t.Errorf("platform record without time or requestId: %s", l)
		}
		platform[ev.Type]++
	}
	return lines, platform
}
