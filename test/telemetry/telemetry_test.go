// Package telemetry checks runtime-init serve's Telemetry API and Logs API
// against AWS's documented event schema, through a test extension
// (./extension) written from the AWS references alone.
package telemetry

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testutil.CleanupBinaries()
	os.Exit(code)
}

type event struct {
	Time   string          `json:"time"`
	Type   string          `json:"type"`
	Record json.RawMessage `json:"record"`
}

// The extension runs beside a faas-runtime function under serve and
// subscribes; the events of three invocations it receives are checked
// field by field against "Lambda Telemetry API Event schema reference"
// (https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html).
func TestTelemetryAPISchema(t *testing.T) {
	t.Run("on-demand", func(t *testing.T) { checkTelemetry(t, false) })
	// Under SnapStart the restore phase's events come too.
	t.Run("snap-start", func(t *testing.T) { checkTelemetry(t, true) })
}

// Under invoke the one invocation's events reach the extension too,
// before its SHUTDOWN.
func TestTelemetryAPIUnderInvoke(t *testing.T) {
	dir := t.TempDir()
	tel, logs := filepath.Join(dir, "telemetry.jsonl"), filepath.Join(dir, "logs.jsonl")
	cmd := exec.Command(testutil.Binary(t, "./cmd/runtime-init"), "invoke", "--extension", testutil.Binary(t, "./test/telemetry/extension"),
		"--env", "TELEMETRY_OUT="+tel, "--env", "LOGS_OUT="+logs, "--", "examples/echo-sh/handler.sh")
	cmd.Dir = testutil.RepoRoot(t)
	out, stderr, code := testutil.Run(t, cmd)
	var res struct{ RequestID string }
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
		t.Fatalf("invoke: exit %d %s\n%s", code, out, stderr)
	}
	got := map[string]bool{}
	for _, ev := range readEvents(t, tel) {
		rec := checkRecord(t, ev)
		if rec["requestId"] == res.RequestID {
			got[ev.Type] = true
		}
	}
	for _, typ := range []string{"platform.start", "platform.runtimeDone", "platform.report"} {
		if !got[typ] {
			t.Errorf("no %s for %s", typ, res.RequestID)
		}
	}
}

func checkTelemetry(t *testing.T, snapStart bool) {
	dir := t.TempDir()
	tel, logs := filepath.Join(dir, "telemetry.jsonl"), filepath.Join(dir, "logs.jsonl")
	ext := testutil.Binary(t, "./test/telemetry/extension")
	args := []string{"--extension", ext, "--env", "TELEMETRY_OUT=" + tel, "--env", "LOGS_OUT=" + logs}
	if snapStart {
		args = append(args, "--snapstart")
	}
	url, cmd := testutil.Serve(t, nil, append(args, "--", "examples/echo-sh/handler.sh")...)
	var ids []string
	for i := range 3 {
		code, h, b := testutil.Post(t, url, []byte(`{"n":1}`))
		if code != 200 {
			t.Fatalf("invocation %d: %d %s", i, code, b)
		}
		ids = append(ids, h.Get("X-Amzn-RequestId"))
	}
	// SIGINT: serve sends SHUTDOWN, after what subscribers hold is out.
	cmd.Process.Signal(syscall.SIGINT)
	waitExit(t, cmd.Wait)

	events := readEvents(t, tel)
	seen := map[string]int{}
	perID := map[string]map[string]bool{}
	for _, ev := range events {
		if _, err := time.Parse(time.RFC3339Nano, ev.Time); err != nil {
			t.Errorf("%s: time %q is not RFC 3339", ev.Type, ev.Time)
		}
		seen[ev.Type]++
		rec := checkRecord(t, ev)
		if want := map[bool]string{true: "snap-start", false: "on-demand"}[snapStart]; ev.Type == "platform.initStart" && rec["initializationType"] != want {
			t.Errorf("initStart: initializationType %v, want %s", rec["initializationType"], want)
		}
		if id, ok := rec["requestId"].(string); ok {
			if perID[id] == nil {
				perID[id] = map[string]bool{}
			}
			perID[id][ev.Type] = true
		}
		if ev.Type == "function" {
			var line string
			if json.Unmarshal(ev.Record, &line) == nil {
				for _, id := range ids {
					if strings.Contains(line, "echo-sh: request "+id) {
						perID[id]["function"] = true
					}
				}
			}
		}
	}
	once := []string{"platform.initStart", "platform.initRuntimeDone", "platform.initReport"}
	if snapStart {
		once = append(once, "platform.restoreStart", "platform.restoreRuntimeDone", "platform.restoreReport")
	} else if seen["platform.restoreStart"] != 0 {
		t.Errorf("restore events without SnapStart: %v", seen)
	}
	for _, typ := range once {
		if seen[typ] != 1 {
			t.Errorf("%s: %d events, want 1", typ, seen[typ])
		}
	}
	if seen["extension"] == 0 {
		t.Errorf("no extension event (the extension logs a line after subscribing)")
	}
	for _, id := range ids {
		for _, typ := range []string{"platform.start", "platform.runtimeDone", "platform.report", "function"} {
			if !perID[id][typ] {
				t.Errorf("invocation %s: no %s event", id, typ)
			}
		}
	}
	t.Logf("Telemetry API: %d events %v", len(events), seen)

	// Subscribing through the Logs API after the Telemetry API is refused.
	if b, _ := os.ReadFile(tel + ".other"); string(b) != "400" {
		t.Errorf("Logs API after the Telemetry API: %q, want 400", b)
	}
	_ = logs
}

// Through the Logs API (2020-08-15) the same extension gets its older
// record shapes: platform.start, platform.end and platform.report with the
// request id, and the function's lines; no init events.
func TestLogsAPI(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs.jsonl")
	url, cmd := testutil.Serve(t, nil, "--extension", testutil.Binary(t, "./test/telemetry/extension"),
		"--env", "EXT_API=logs", "--env", "LOGS_OUT="+logs, "--", "examples/echo-sh/handler.sh")
	var ids []string
	for i := range 3 {
		code, h, b := testutil.Post(t, url, []byte(`{}`))
		if code != 200 {
			t.Fatalf("invocation %d: %d %s", i, code, b)
		}
		ids = append(ids, h.Get("X-Amzn-RequestId"))
	}
	cmd.Process.Signal(syscall.SIGINT)
	waitExit(t, cmd.Wait)
	got := map[string]map[string]bool{}
	for _, ev := range readEvents(t, logs) {
		if _, err := time.Parse(time.RFC3339Nano, ev.Time); err != nil {
			t.Errorf("%s: time %q", ev.Type, ev.Time)
		}
		switch ev.Type {
		case "platform.start", "platform.end", "platform.report", "platform.runtimeDone":
			var rec struct {
				RequestID string `json:"requestId"`
				Metrics   *struct {
					DurationMs       *float64 `json:"durationMs"`
					BilledDurationMs *int64   `json:"billedDurationMs"`
					MemorySizeMB     *int     `json:"memorySizeMB"`
					MaxMemoryUsedMB  *int     `json:"maxMemoryUsedMB"`
				} `json:"metrics"`
			}
			if err := json.Unmarshal(ev.Record, &rec); err != nil || rec.RequestID == "" {
				t.Errorf("%s: %s", ev.Type, ev.Record)
				continue
			}
			if ev.Type == "platform.report" && (rec.Metrics == nil || rec.Metrics.DurationMs == nil || rec.Metrics.BilledDurationMs == nil ||
				rec.Metrics.MemorySizeMB == nil || rec.Metrics.MaxMemoryUsedMB == nil) {
				t.Errorf("platform.report without its metrics: %s", ev.Record)
			}
			if got[rec.RequestID] == nil {
				got[rec.RequestID] = map[string]bool{}
			}
			got[rec.RequestID][ev.Type] = true
		case "function", "platform.logsSubscription":
		default:
			t.Errorf("Logs API: event type %q", ev.Type)
		}
	}
	for _, id := range ids {
		for _, typ := range []string{"platform.start", "platform.end", "platform.report"} {
			if !got[id][typ] {
				t.Errorf("invocation %s: no %s", id, typ)
			}
		}
	}
}

// checkRecord checks ev's record against its documented schema and returns it.
func checkRecord(t *testing.T, ev event) map[string]any {
	t.Helper()
	var rec map[string]any
	switch ev.Type {
	case "function", "extension":
		var s string
		if json.Unmarshal(ev.Record, &s) != nil && json.Unmarshal(ev.Record, &rec) != nil {
			t.Errorf("%s: record is neither a string nor an object: %s", ev.Type, ev.Record)
		}
		return nil
	}
	if err := json.Unmarshal(ev.Record, &rec); err != nil {
		t.Errorf("%s: record is not an object: %s", ev.Type, ev.Record)
		return nil
	}
	str := func(k string, allowed ...string) {
		v, ok := rec[k].(string)
		if !ok {
			t.Errorf("%s: %s is not a string: %s", ev.Type, k, ev.Record)
			return
		}
		if len(allowed) > 0 && !slices.Contains(allowed, v) {
			t.Errorf("%s: %s %q not one of %v", ev.Type, k, v, allowed)
		}
	}
	num := func(m map[string]any, k string, integer bool) {
		v, ok := m[k].(float64)
		if !ok || v < 0 || (integer && v != float64(int64(v))) {
			t.Errorf("%s: metrics.%s %v is not a non-negative %s", ev.Type, k, m[k], map[bool]string{true: "integer", false: "number"}[integer])
		}
	}
	metrics := func() map[string]any {
		m, ok := rec["metrics"].(map[string]any)
		if !ok {
			t.Errorf("%s: no metrics object: %s", ev.Type, ev.Record)
		}
		return m
	}
	statuses := []string{"success", "failure", "error", "timeout"}
	initTypes := []string{"on-demand", "provisioned-concurrency", "snap-start", "lambda-managed-instances"}
	switch ev.Type {
	case "platform.initStart":
		str("initializationType", initTypes...)
		str("phase", "init", "invoke")
		str("functionName")
		str("functionVersion")
	case "platform.initRuntimeDone":
		str("initializationType", initTypes...)
		str("phase", "init", "invoke")
		str("status", statuses...)
	case "platform.initReport":
		str("initializationType", initTypes...)
		str("phase", "init", "invoke")
		if m := metrics(); m != nil {
			num(m, "durationMs", false)
		}
	case "platform.start":
		str("requestId")
		str("version")
		if tr, ok := rec["tracing"].(map[string]any); ok && (tr["type"] != "X-Amzn-Trace-Id" || tr["value"] == "") {
			t.Errorf("platform.start: tracing %v", tr)
		}
	case "platform.runtimeDone":
		str("requestId")
		str("status", statuses...)
		if m := metrics(); m != nil {
			num(m, "durationMs", false)
			num(m, "producedBytes", true)
		}
	case "platform.report":
		str("requestId")
		str("status", statuses...)
		if m := metrics(); m != nil {
			num(m, "durationMs", false)
			num(m, "billedDurationMs", true)
			num(m, "memorySizeMB", true)
			num(m, "maxMemoryUsedMB", true)
			if _, ok := m["initDurationMs"]; ok {
				num(m, "initDurationMs", false)
			}
		}
	case "platform.restoreStart":
		str("functionName")
		str("functionVersion")
	case "platform.restoreRuntimeDone":
		str("status", statuses...)
	case "platform.restoreReport":
		str("status", statuses...)
		if m := metrics(); m != nil {
			num(m, "durationMs", false)
		}
	case "platform.telemetrySubscription":
		str("name")
		str("state")
	case "platform.logsDropped":
		str("reason")
	default:
		t.Errorf("an event type the schema does not have: %q", ev.Type)
	}
	return rec
}

func readEvents(t *testing.T, path string) []event {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("the extension received nothing: %v", err)
	}
	defer f.Close()
	var all []event
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var batch []event
		if err := json.Unmarshal(sc.Bytes(), &batch); err != nil {
			t.Fatalf("a batch that is not a JSON array of events: %v: %.300s", err, sc.Bytes())
		}
		all = append(all, batch...)
	}
	return all
}

func waitExit(t *testing.T, wait func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- wait() }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop on SIGINT")
	}
}
