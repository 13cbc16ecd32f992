package bootstrap

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

func logEnv(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// JSON: one object per line with Lambda's field names; the level filters.
func TestJSONLogger(t *testing.T) {
	var buf bytes.Buffer
	log := NewLogger(&buf, logEnv(LogFormatEnv, "JSON", LogLevelEnv, "WARN"))
	log.Info("filtered out")
	log.Warn("answer refused", requestIDKey, "req-1", "status", 410)
	log.Error("init failed", "type", "Runtime.InitError")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines (INFO filtered by WARN), got:\n%s", buf.String())
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatalf("not one JSON object: %q", lines[0])
	}
	ts, _ := first["timestamp"].(string)
	if _, err := time.Parse(time.RFC3339Nano, ts); err != nil || !strings.HasSuffix(ts, "Z") {
		t.Errorf("timestamp %q: not RFC 3339 UTC", ts)
	}
	if first["level"] != "WARN" || first["message"] != "answer refused" || first["requestId"] != "req-1" || first["status"] != 410.0 {
		t.Errorf("fields: %v", first)
	}
	for _, k := range []string{"time", "msg", "request_id"} {
		if _, ok := first[k]; ok {
			t.Errorf("slog's key %q left in: %v", k, first)
		}
	}
	var second map[string]any
	if json.Unmarshal([]byte(lines[1]), &second); second["level"] != "ERROR" || second["requestId"] != nil {
		t.Errorf("outside an invocation: %v", second)
	}

	// TRACE and DEBUG pass at TRACE; FATAL is named.
	buf.Reset()
	log = NewLogger(&buf, logEnv(LogFormatEnv, "json", LogLevelEnv, "trace"))
	log.Log(t.Context(), LevelTrace, "t")
	log.Debug("d")
	log.Log(t.Context(), LevelFatal, "f")
	for _, want := range []string{`"level":"TRACE"`, `"level":"DEBUG"`, `"level":"FATAL"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("%s missing:\n%s", want, buf.String())
		}
	}
}

// TEXT (and no variable) keeps today's lines: logfmt, no time, INFO and up
// whatever the level says (Lambda filters JSON logs only).
func TestTextLoggerUnchanged(t *testing.T) {
	for _, env := range []func(string) string{logEnv(), logEnv(LogFormatEnv, "TEXT", LogLevelEnv, "ERROR")} {
		var buf bytes.Buffer
		log := NewLogger(&buf, env)
		log.Debug("not shown")
		log.Info("init", "mode", "exec")
		if got := buf.String(); got != "level=INFO msg=init src=faas-runtime mode=exec\n" {
			t.Errorf("got %q", got)
		}
	}
}

func TestUnknownLogSettingsAreNamed(t *testing.T) {
	var buf bytes.Buffer
	NewLogger(&buf, logEnv(LogFormatEnv, "XML", LogLevelEnv, "LOUD"))
	if !strings.Contains(buf.String(), "unknown log format") || !strings.Contains(buf.String(), "unknown log level") || !strings.Contains(buf.String(), "LOUD") {
		t.Errorf("got %q", buf.String())
	}
}

// The per-invocation line costs no allocation when the level filters it out.
func TestFilteredInvokeLineDoesNotAllocate(t *testing.T) {
	log := NewLogger(io.Discard, logEnv(LogFormatEnv, "JSON", LogLevelEnv, "INFO"))
	if n := testing.AllocsPerRun(1000, func() { logInvoke(log, "8476a536-e9f4-11e8-9739-2dfe598c3fcd", 512) }); n != 0 {
		t.Fatalf("%v allocations per filtered line", n)
	}
}

// BenchmarkFilteredInvokeLine: the per-invocation line, filtered out (JSON
// at INFO) and written (JSON at DEBUG); run with -benchmem.
func BenchmarkFilteredInvokeLine(b *testing.B) {
	for _, level := range []string{"INFO", "DEBUG"} {
		b.Run("level="+level, func(b *testing.B) {
			log := NewLogger(io.Discard, logEnv(LogFormatEnv, "JSON", LogLevelEnv, level))
			b.ReportAllocs()
			for b.Loop() {
				logInvoke(log, "8476a536-e9f4-11e8-9739-2dfe598c3fcd", 512)
			}
		})
	}
}
