package httpmode

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// Config is the adapter configuration, read from the same variables as
// AWS Lambda Web Adapter with the same defaults, so an image switches by
// changing one line. The FAAS_* ones are ours.
type Config struct {
	Host                string        // AWS_LWA_HOST, default 127.0.0.1
	Port                int           // AWS_LWA_PORT, then FAAS_HTTP_PORT, then PORT; default 8080
	ReadinessPort       int           // AWS_LWA_READINESS_CHECK_PORT, default Port
	ReadinessPath       string        // AWS_LWA_READINESS_CHECK_PATH, default /
	ReadinessTCP        bool          // AWS_LWA_READINESS_CHECK_PROTOCOL=tcp (default http)
	Healthy             statusSet     // AWS_LWA_READINESS_CHECK_HEALTHY_STATUS, default 100-499
	AsyncInit           bool          // AWS_LWA_ASYNC_INIT
	RemoveBasePath      string        // AWS_LWA_REMOVE_BASE_PATH
	PassThroughPath     string        // AWS_LWA_PASS_THROUGH_PATH, default /events
	Streaming           bool          // AWS_LWA_INVOKE_MODE=response_stream (default buffered)
	Compression         bool          // AWS_LWA_ENABLE_COMPRESSION
	ErrorStatus         statusSet     // AWS_LWA_ERROR_STATUS_CODES
	AuthorizationSource string        // AWS_LWA_AUTHORIZATION_SOURCE
	ReadyTimeout        time.Duration // FAAS_HTTP_READY_TIMEOUT, default 9.8 s (the adapter's async init cut-off)
	StopGrace           time.Duration // FAAS_HTTP_STOP_GRACE: SIGTERM to SIGKILL, default 200 ms
}

// DefaultReadyTimeout stops waiting just before Lambda's 10 s init limit,
// as the adapter's async init does.
const DefaultReadyTimeout = 9800 * time.Millisecond

// LoadConfig reads the configuration. Unlike the adapter, which silently
// falls back to a default, a value it cannot parse is an init error.
func LoadConfig(getenv func(string) string) (*Config, error) {
	// env returns the first variable set, so deprecated names still work.
	env := func(names ...string) (string, string) {
		for _, n := range names {
			if v := strings.TrimSpace(getenv(n)); v != "" {
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
	boolean := func(names ...string) bool {
		name, v := env(names...)
		if v == "" {
			return false
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad(name, v, "want true or false")
		}
		return b
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

	c := &Config{}
	_, c.Host = env("AWS_LWA_HOST")
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
		bad(name, v, "want http or tcp")
	}
	if name, v := env("AWS_LWA_READINESS_CHECK_HEALTHY_STATUS"); v != "" {
		s, err := parseStatusSet(v)
		if err != nil {
			bad(name, v, err.Error())
		}
		c.Healthy = s
	} else if name, v := env("AWS_LWA_READINESS_CHECK_MIN_UNHEALTHY_STATUS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 101 || n > 999 {
			bad(name, v, "want a status code from 101 to 999")
		}
		c.Healthy = statusSet{{100, n - 1}}
	} else {
		c.Healthy = statusSet{{100, 499}}
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
		bad(name, v, "want buffered or response_stream")
	}
	c.Compression = boolean("AWS_LWA_ENABLE_COMPRESSION")
	if name, v := env("AWS_LWA_ERROR_STATUS_CODES"); v != "" {
		s, err := parseStatusSet(v)
		if err != nil {
			bad(name, v, err.Error())
		}
		c.ErrorStatus = s
	}
	_, c.AuthorizationSource = env("AWS_LWA_AUTHORIZATION_SOURCE")
	c.ReadyTimeout = duration("FAAS_HTTP_READY_TIMEOUT", DefaultReadyTimeout)
	c.StopGrace = duration("FAAS_HTTP_STOP_GRACE", 200*time.Millisecond)
	if len(errs) > 0 {
		return nil, api.NewError(api.ErrTypeBadConfig, "http mode: "+strings.Join(errs, "; "))
	}
	return c, nil
}

// statusSet is a list of inclusive status code ranges, "200-399,404".
type statusSet [][2]int

func parseStatusSet(s string) (statusSet, error) {
	var out statusSet
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(strings.TrimSpace(lo))
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(strings.TrimSpace(hi))
		}
		if err1 != nil || err2 != nil || a < 100 || b > 999 || a > b {
			return nil, fmt.Errorf("%q is not a status code or range (want e.g. 500,502-504)", part)
		}
		out = append(out, [2]int{a, b})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no status codes")
	}
	return out, nil
}

func (s statusSet) has(code int) bool {
	for _, r := range s {
		if r[0] <= code && code <= r[1] {
			return true
		}
	}
	return false
}
