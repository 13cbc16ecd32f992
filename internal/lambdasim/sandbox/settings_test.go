package sandbox

import (
	"errors"
	"regexp"
	"slices"
	"testing"
)

// A flag beats --env, which beats this process's environment, which beats
// the default; bad values are SettingsErrors.
func TestResolveSettings(t *testing.T) {
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "proc")
	t.Setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
	t.Setenv("_HANDLER", "")
	t.Setenv("AWS_LAMBDA_FUNCTION_HANDLER", "")
	t.Setenv("AWS_LAMBDA_MAX_CONCURRENCY", "")
	t.Setenv("AWS_LAMBDA_LOG_GROUP_NAME", "")
	fn, err := resolveSettings(Options{Command: []string{"rt", "a", "last"}, Env: []string{"AWS_LAMBDA_FUNCTION_NAME=env", "AWS_LAMBDA_MAX_CONCURRENCY=4"}})
	if err != nil {
		t.Fatal(err)
	}
	if fn.name != "env" || fn.memoryMB != 256 || fn.handler != "last" || fn.maxConcurrency != 4 || fn.logGroup != "/aws/lambda/env" {
		t.Errorf("%+v", fn)
	}
	env := fn.environ("s")
	for _, want := range []string{"AWS_LAMBDA_FUNCTION_NAME=env", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256", "_HANDLER=last", "AWS_LAMBDA_LOG_STREAM_NAME=s", "AWS_LAMBDA_MAX_CONCURRENCY=4"} {
		if !slices.Contains(env, want) {
			t.Errorf("environ lacks %s: %v", want, env)
		}
	}
	fn, _ = resolveSettings(Options{FunctionName: "flag", MemoryMB: 1024, Handler: "h", Env: []string{"AWS_LAMBDA_FUNCTION_NAME=env"}})
	if fn.name != "flag" || fn.memoryMB != 1024 || fn.handler != "h" || fn.maxConcurrency != 0 {
		t.Errorf("%+v", fn)
	}
	if !logStreamRE.MatchString(newLogStream("$LATEST")) {
		t.Errorf("log stream %q", newLogStream("$LATEST"))
	}
	var se *SettingsError
	for _, o := range []Options{{MemoryMB: 64}, {FunctionName: "a b"}, {Env: []string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=x"}}} {
		if _, err := resolveSettings(o); !errors.As(err, &se) {
			t.Errorf("%+v: %v, want a SettingsError", o, err)
		}
	}
}

var logStreamRE = regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`)
