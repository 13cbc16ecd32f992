package httpmode

import (
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestParseStatusSet: the adapter's parse_status_codes, including its
// tests' cases (src/lib.rs, test_parse_status_codes).
func TestParseStatusSet(t *testing.T) {
	for in, want := range map[string]string{
		"500,502-504,422":   "500,502-504,422",
		"500, 502-504, 422": "500,502-504,422",
		"500-502":           "500-502",
		"invalid":           "none",
		"500-invalid":       "none",
		"":                  "none",
		"504-502,404":       "404",
		"500,abc":           "500",
		"1-2-3":             "none",
	} {
		s, _ := parseStatusSet(in)
		if s.String() != want {
			t.Errorf("%q: %s, want %s", in, s, want)
		}
	}
}

// TestLoadConfigLenient: what the adapter tolerates is a default and a
// warning naming the variable; a port that is not a number is an error.
func TestLoadConfigLenient(t *testing.T) {
	c, err := LoadConfig(envOf(map[string]string{
		"AWS_LWA_INVOKE_MODE": "streaming", "AWS_LWA_ENABLE_COMPRESSION": "TRUE", "AWS_LWA_ASYNC_INIT": "1",
		"AWS_LWA_READINESS_CHECK_PROTOCOL": "udp", "AWS_LWA_ERROR_STATUS_CODES": "500-invalid",
		"AWS_LWA_READINESS_CHECK_MIN_UNHEALTHY_STATUS": "400", "HOST": "127.0.0.2", "PORT": "3000",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Streaming || c.Compression || c.AsyncInit || c.ReadinessTCP || len(c.ErrorStatus) != 0 || c.Host != "127.0.0.2" || c.Port != 3000 || c.Healthy.String() != "100-499" {
		t.Errorf("%+v", c)
	}
	all := strings.Join(c.Warnings, "\n")
	for _, name := range []string{"AWS_LWA_INVOKE_MODE", "AWS_LWA_ENABLE_COMPRESSION", "AWS_LWA_ASYNC_INIT", "AWS_LWA_READINESS_CHECK_PROTOCOL", "AWS_LWA_ERROR_STATUS_CODES", "MIN_UNHEALTHY_STATUS", "HOST is deprecated"} {
		if !strings.Contains(all, name) {
			t.Errorf("no warning about %s in:\n%s", name, all)
		}
	}
	if _, err := LoadConfig(envOf(map[string]string{"AWS_LWA_PORT": "80a"})); err == nil || !strings.Contains(err.Error(), "AWS_LWA_PORT") {
		t.Errorf("bad port: %v", err)
	}
	for typ, wait := range map[string]bool{"": false, "on-demand": false, "provisioned-concurrency": true, "snap-start": true} {
		if c, _ := LoadConfig(envOf(map[string]string{"AWS_LAMBDA_INITIALIZATION_TYPE": typ})); c.WaitInInit != wait {
			t.Errorf("initialization type %q: wait in init %v", typ, c.WaitInInit)
		}
	}
	if c, _ := LoadConfig(envOf(map[string]string{"AWS_LAMBDA_INITIALIZATION_TYPE": "provisioned-concurrency", "AWS_LWA_ASYNC_INIT": "true"})); c.WaitInInit {
		t.Error("async init waits in init")
	}
	// Under SnapStart the adapter ignores async init: the snapshot is never
	// taken of an app still starting.
	if c, _ := LoadConfig(envOf(map[string]string{"AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start", "AWS_LWA_ASYNC_INIT": "true"})); !c.WaitInInit || c.AsyncInit || !strings.Contains(strings.Join(c.Warnings, " "), "ignored under SnapStart") {
		t.Errorf("SnapStart with async init: %+v", c)
	}
}

// TestErrorStatusMessage: the adapter's errorMessage, byte for byte.
func TestErrorStatusMessage(t *testing.T) {
	for body, want := range map[string]string{
		"":                  `{"statusCode":500,"body":""}`,
		`<a href="x">&</a>`: `{"statusCode":500,"body":"<a href=\"x\">&</a>"}`,
		"line\nbreak\xff":   `{"statusCode":500,"body":"line\nbreak` + "\uFFFD" + `"}`,
	} {
		if got := errorStatus(500, []byte(body)); got.Message != want || got.Type != ErrTypeErrorStatus {
			t.Errorf("%q: %s %s, want %s", body, got.Type, got.Message, want)
		}
	}
}
