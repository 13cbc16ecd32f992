package httpmode

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// Config is the adapter configuration, read from the same variables as
// AWS Lambda Web Adapter with the same defaults and the same leniency, so
// an image switches by changing one line. The FAAS_* ones are ours.
//
// Source: awslabs/aws-lambda-web-adapter v1.0.0 (commit 2194417),
// src/lib.rs, AdapterOptions::default and parse_status_codes.
type Config struct {
	Host                string    // AWS_LWA_HOST, then HOST; default 127.0.0.1
	Port                int       // AWS_LWA_PORT, then FAAS_HTTP_PORT, then PORT; default 8080
	ReadinessPort       int       // AWS_LWA_READINESS_CHECK_PORT, default Port
	ReadinessPath       string    // AWS_LWA_READINESS_CHECK_PATH, default /
	ReadinessTCP        bool      // AWS_LWA_READINESS_CHECK_PROTOCOL=tcp (default http)
	Healthy             statusSet // AWS_LWA_READINESS_CHECK_HEALTHY_STATUS, default 100-499
	AsyncInit           bool      // AWS_LWA_ASYNC_INIT
	RemoveBasePath      string    // AWS_LWA_REMOVE_BASE_PATH
	PassThroughPath     string    // AWS_LWA_PASS_THROUGH_PATH, default /events
	Streaming           bool      // AWS_LWA_INVOKE_MODE=response_stream (default buffered)
	Compression         bool      // AWS_LWA_ENABLE_COMPRESSION (buffered only)
	ErrorStatus         statusSet // AWS_LWA_ERROR_STATUS_CODES
	AuthorizationSource string    // AWS_LWA_AUTHORIZATION_SOURCE
	// WaitInInit: keep polling inside init until the app is ready, however
	// long it takes. Set for a synchronous init whose init phase is not cut
	// at 10 s (provisioned concurrency, SnapStart): see Mode.Init.
	WaitInInit bool
	StopGrace  time.Duration // FAAS_HTTP_STOP_GRACE: SIGTERM to SIGKILL, default 200 ms
	// ReadinessTimeout bounds each wait for the app to report ready: at
	// init, before the snapshot and after a restore; on expiry that phase
	// fails. AWS_LWA_READINESS_CHECK_TIMEOUT_SECONDS (fractional allowed);
	// 0 (unset, <= 0 or malformed, with a warning) is no bound, as in the
	// adapter since 1.1.0.
	ReadinessTimeout time.Duration
	// SnapStart: AWS_LAMBDA_INITIALIZATION_TYPE=snap-start. The hook paths
	// are AWS_LWA_SNAPSTART_BEFORE_CHECKPOINT_PATH and
	// AWS_LWA_SNAPSTART_AFTER_RESTORE_PATH ("" when unset).
	SnapStart                              bool
	BeforeCheckpointPath, AfterRestorePath string
	// Warnings are the values the adapter tolerates and so do we: each
	// names its variable and what is done instead. Logged by New.
	Warnings []string
}

// InitHandOver is when a waiting init hands the wait to the first
// invocation: the adapter's async init cut-off (src/lib.rs,
// check_init_health: 9.8 s), just before Lambda's 10 s init limit.
const InitHandOver = 9800 * time.Millisecond

// LoadConfig reads the configuration. Like the adapter, it falls back to
// the default for a value the adapter would ignore (with a warning in
// Config.Warnings); only what the adapter itself cannot start with (a port
// that is not a number) is an init error.
func LoadConfig(getenv func(string) string) (*Config, error) {
	c := &Config{}
	warn := func(format string, args ...any) { c.Warnings = append(c.Warnings, fmt.Sprintf(format, args...)) }
	// env returns the first variable set, so deprecated names still work
	// (the adapter warns about them, and so do we).
	env := func(names ...string) (string, string) {
		for i, n := range names {
			if v := strings.TrimSpace(getenv(n)); v != "" {
				if i > 0 && strings.HasPrefix(names[0], "AWS_LWA_") && !strings.HasPrefix(n, "AWS_LWA_") && n != "PORT" && n != "FAAS_HTTP_PORT" {
					warn("%s is deprecated in the adapter (to be removed in its 2.0): use %s", n, names[0])
				}
				return n, v
			}
		}
		return names[0], ""
	}
	var errs []string
	bad := func(name, v, want string) { errs = append(errs, fmt.Sprintf("%s=%q: %s", name, v, want)) }
	port := func(def int, names ...string) int {
		name, v := env(names...)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			bad(name, v, "want a port number from 1 to 65535")
			return def
		}
		return n
	}
	// boolean is Rust's bool::from_str, as the adapter parses: only "true"
	// and "false"; anything else ("TRUE", "1") is false.
	boolean := func(names ...string) bool {
		name, v := env(names...)
		switch v {
		case "", "false":
			return false
		case "true":
			return true
		}
		warn("%s=%q is not true or false: treated as false, as the adapter does", name, v)
		return false
	}
	duration := func(name string, def time.Duration) time.Duration {
		_, v := env(name)
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			bad(name, v, "want a positive duration such as 500ms or 5s")
			return def
		}
		return d
	}
	statuses := func(name, v string) statusSet {
		s, dropped := parseStatusSet(v)
		if len(dropped) > 0 {
			warn("%s=%q: ignored %s (not a status code or range, as the adapter ignores them)", name, v, strings.Join(dropped, ", "))
		}
		return s
	}

	_, c.Host = env("AWS_LWA_HOST", "HOST")
	if c.Host == "" {
		c.Host = "127.0.0.1"
	}
	c.Port = port(8080, "AWS_LWA_PORT", "FAAS_HTTP_PORT", "PORT")
	c.ReadinessPort = port(c.Port, "AWS_LWA_READINESS_CHECK_PORT", "READINESS_CHECK_PORT")
	_, c.ReadinessPath = env("AWS_LWA_READINESS_CHECK_PATH", "READINESS_CHECK_PATH")
	if c.ReadinessPath == "" {
		c.ReadinessPath = "/"
	} else if !strings.HasPrefix(c.ReadinessPath, "/") {
		c.ReadinessPath = "/" + c.ReadinessPath
	}
	switch name, v := env("AWS_LWA_READINESS_CHECK_PROTOCOL", "READINESS_CHECK_PROTOCOL"); strings.ToLower(v) {
	case "", "http":
	case "tcp":
		c.ReadinessTCP = true
	default:
		warn("%s=%q is not http or tcp: http, as the adapter does", name, v)
	}
	c.Healthy = statusSet{{100, 499}}
	if name, v := env("AWS_LWA_READINESS_CHECK_HEALTHY_STATUS"); v != "" {
		c.Healthy = statuses(name, v)
		if len(c.Healthy) == 0 {
			warn("%s=%q has no status code: no answer is healthy, so the app never passes its readiness check", name, v)
		}
	}
	if v := getenv("AWS_LWA_READINESS_CHECK_MIN_UNHEALTHY_STATUS"); v != "" {
		warn("AWS_LWA_READINESS_CHECK_MIN_UNHEALTHY_STATUS was removed in adapter 1.0 and is ignored: use AWS_LWA_READINESS_CHECK_HEALTHY_STATUS (e.g. 100-499)")
	}
	c.AsyncInit = boolean("AWS_LWA_ASYNC_INIT", "ASYNC_INIT")
	_, c.RemoveBasePath = env("AWS_LWA_REMOVE_BASE_PATH", "REMOVE_BASE_PATH")
	_, c.PassThroughPath = env("AWS_LWA_PASS_THROUGH_PATH")
	if c.PassThroughPath == "" {
		c.PassThroughPath = "/events"
	}
	switch name, v := env("AWS_LWA_INVOKE_MODE"); strings.ToLower(v) {
	case "", "buffered":
	case "response_stream":
		c.Streaming = true
	default:
		warn("%s=%q is not buffered or response_stream: buffered, as the adapter does", name, v)
	}
	c.Compression = boolean("AWS_LWA_ENABLE_COMPRESSION")
	if c.Compression && c.Streaming {
		warn("AWS_LWA_ENABLE_COMPRESSION is not supported with response streaming: compression is off, as in the adapter")
		c.Compression = false
	}
	if name, v := env("AWS_LWA_ERROR_STATUS_CODES"); v != "" {
		c.ErrorStatus = statuses(name, v)
	}
	_, c.AuthorizationSource = env("AWS_LWA_AUTHORIZATION_SOURCE")
	// Lambda cuts an on-demand init at 10 s; provisioned concurrency and
	// SnapStart inits are not cut there, so a synchronous init keeps
	// waiting in init, as the adapter's does everywhere.
	switch getenv("AWS_LAMBDA_INITIALIZATION_TYPE") {
	case "provisioned-concurrency":
		c.WaitInInit = !c.AsyncInit
	case "snap-start":
		// The adapter ignores AWS_LWA_ASYNC_INIT under SnapStart: the
		// snapshot must never be taken of an app still starting.
		c.SnapStart, c.WaitInInit = true, true
		if c.AsyncInit {
			warn("AWS_LWA_ASYNC_INIT is ignored under SnapStart: init waits until the app is ready, as in the adapter")
			c.AsyncInit = false
		}
	}
	hookPath := func(name string) string {
		_, v := env(name)
		if v != "" && !strings.HasPrefix(v, "/") {
			v = "/" + v
		}
		return v
	}
	c.BeforeCheckpointPath = hookPath("AWS_LWA_SNAPSTART_BEFORE_CHECKPOINT_PATH")
	c.AfterRestorePath = hookPath("AWS_LWA_SNAPSTART_AFTER_RESTORE_PATH")
	if name, v := env("AWS_LWA_READINESS_CHECK_TIMEOUT_SECONDS"); v != "" {
		secs, err := strconv.ParseFloat(v, 64)
		switch {
		case err != nil || math.IsNaN(secs) || math.IsInf(secs, 0):
			warn("%s=%q is not a number of seconds: no bound, as in the adapter", name, v)
		case secs <= 0:
			warn("%s=%q: no bound, as in the adapter", name, v)
		default:
			c.ReadinessTimeout = time.Duration(secs * float64(time.Second))
		}
	}
	if v := getenv("FAAS_HTTP_READY_TIMEOUT"); v != "" {
		warn("FAAS_HTTP_READY_TIMEOUT=%q is no longer read: the app gets as long as it needs, as behind the adapter (init hands the wait to the first invocation at 9.8 s)", v)
	}
	c.StopGrace = duration("FAAS_HTTP_STOP_GRACE", 200*time.Millisecond)
	if len(errs) > 0 {
		return nil, api.Errorf(api.ErrTypeBadConfig, "http mode: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// statusSet is a list of inclusive status code ranges, "200-399,404".
type statusSet [][2]int

// parseStatusSet reads "500,502-504" as the adapter's parse_status_codes
// does: a part that is not a code or a range of u16 is dropped (returned in
// dropped), so "500-invalid" is an empty set; a range whose end is below
// its start holds no code.
func parseStatusSet(s string) (out statusSet, dropped []string) {
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if lo, hi, isRange := strings.Cut(part, "-"); isRange {
			a, err1 := strconv.ParseUint(lo, 10, 16)
			b, err2 := strconv.ParseUint(hi, 10, 16)
			if err1 != nil || err2 != nil || strings.Contains(hi, "-") {
				dropped = append(dropped, strconv.Quote(part))
				continue
			}
			if a <= b {
				out = append(out, [2]int{int(a), int(b)})
			}
			continue
		}
		n, err := strconv.ParseUint(part, 10, 16)
		if err != nil {
			dropped = append(dropped, strconv.Quote(part))
			continue
		}
		out = append(out, [2]int{int(n), int(n)})
	}
	return out, dropped
}

func (s statusSet) has(code int) bool {
	for _, r := range s {
		if r[0] <= code && code <= r[1] {
			return true
		}
	}
	return false
}

// String lists the set as it would be configured.
func (s statusSet) String() string {
	if len(s) == 0 {
		return "none"
	}
	parts := make([]string, len(s))
	for i, r := range s {
		parts[i] = strconv.Itoa(r[0])
		if r[1] != r[0] {
			parts[i] += "-" + strconv.Itoa(r[1])
		}
	}
	return strings.Join(parts, ",")
}
