package bootstrap

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"time"
)

// Lambda's advanced logging controls, which it passes to custom runtimes
// as it does to its own (AWS "Configuring advanced logging controls for
// Lambda functions", "Log-level filtering").
const (
	LogFormatEnv = "AWS_LAMBDA_LOG_FORMAT" // TEXT (default) or JSON
	LogLevelEnv  = "AWS_LAMBDA_LOG_LEVEL"  // TRACE, DEBUG, INFO (default), WARN, ERROR, FATAL; JSON only
)

// Levels beyond slog's four, at its spacing.
const (
	LevelTrace = slog.LevelDebug - 4
	LevelFatal = slog.LevelError + 4
)

// NewLogger returns the runtime's logger. TEXT, the default, is logfmt
// without timestamps, since CloudWatch stamps every line. JSON makes each
// line one object with Lambda's field names: timestamp (RFC 3339, UTC),
// level, message, and requestId on the lines of an invocation; only JSON
// filters by AWS_LAMBDA_LOG_LEVEL, as Lambda filters only JSON logs. A
// value it does not know is named in a warning, and the default is used.
func NewLogger(w io.Writer, getenv func(string) string) *slog.Logger {
	format := strings.ToUpper(strings.TrimSpace(getenv(LogFormatEnv)))
	level, levelOK := parseLevel(getenv(LogLevelEnv))
	var h slog.Handler
	if format == "JSON" {
		h = slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: lambdaJSON})
	} else {
		h = slog.NewTextHandler(w, &slog.HandlerOptions{ReplaceAttr: noTime}) // INFO, as always
	}
	log := slog.New(h).With("src", "faas-runtime")
	if format != "" && format != "JSON" && format != "TEXT" {
		log.Warn("unknown log format: using TEXT", "env", LogFormatEnv, "value", getenv(LogFormatEnv))
	}
	if !levelOK {
		log.Warn("unknown log level: using INFO", "env", LogLevelEnv, "value", getenv(LogLevelEnv))
	}
	return log
}

func parseLevel(v string) (slog.Level, bool) {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "TRACE":
		return LevelTrace, true
	case "DEBUG":
		return slog.LevelDebug, true
	case "", "INFO":
		return slog.LevelInfo, true
	case "WARN":
		return slog.LevelWarn, true
	case "ERROR":
		return slog.LevelError, true
	case "FATAL":
		return LevelFatal, true
	}
	return slog.LevelInfo, false
}

func levelName(l slog.Level) string {
	switch {
	case l < slog.LevelDebug:
		return "TRACE"
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARN"
	case l < LevelFatal:
		return "ERROR"
	}
	return "FATAL"
}

// requestIDKey is the attribute every line of an invocation carries.
const requestIDKey = "request_id"

func noTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// lambdaJSON renames slog's keys to the ones Lambda's JSON log format uses.
func lambdaJSON(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.TimeKey:
		return slog.String("timestamp", a.Value.Time().UTC().Format(time.RFC3339Nano))
	case slog.LevelKey:
		return slog.String("level", levelName(a.Value.Any().(slog.Level)))
	case slog.MessageKey:
		a.Key = "message"
	case requestIDKey:
		a.Key = "requestId"
	}
	return a
}

// logInvoke writes the per-invocation trace line. The Enabled check comes
// first so that, filtered out, it costs no allocation on the hot path
// (BenchmarkFilteredInvokeLine).
func logInvoke(log *slog.Logger, requestID string, payloadLen int) {
	if !log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	log.LogAttrs(context.Background(), slog.LevelDebug, "invoke", slog.String(requestIDKey, requestID), slog.Int("event_bytes", payloadLen))
}
