package modes

import (
	"os"
	"runtime"
	"strings"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// ExecWrapperEnv names a wrapper script: Lambda's managed runtimes start
// their runtime through it (the wrapper, then the original command and
// arguments), and vendors' layers (Dynatrace, Datadog, OpenTelemetry) use
// it to set variables or preload agents before exec'ing "$@" (AWS
// "Modifying the runtime environment", wrapper scripts). faas-runtime
// starts the function the same way: exec mode's child, http mode's app.
const ExecWrapperEnv = "AWS_LAMBDA_EXEC_WRAPPER"

// ExecWrapper returns the wrapper to start the function through, or "".
func ExecWrapper(getenv func(string) string) string {
	if getenv == nil {
		return ""
	}
	return strings.TrimSpace(getenv(ExecWrapperEnv))
}

// Wrapped returns argv as started through wrapper: wrapper, then argv
// (argv itself when there is no wrapper).
func Wrapped(wrapper string, argv []string) []string {
	if wrapper == "" {
		return argv
	}
	return append([]string{wrapper}, argv...)
}

// CheckExecWrapper checks at init that the wrapper, when set, is an
// executable file, so a bad one fails init once rather than every
// invocation.
func CheckExecWrapper(wrapper string) error {
	if wrapper == "" {
		return nil
	}
	st, err := os.Stat(wrapper)
	switch {
	case err != nil:
		return api.Errorf(api.ErrTypeBadConfig, "%s: %v", ExecWrapperEnv, err)
	case st.IsDir() || runtime.GOOS != "windows" && st.Mode().Perm()&0o111 == 0:
		return api.Errorf(api.ErrTypeBadConfig, "%s=%s is not an executable file (mode %v)", ExecWrapperEnv, wrapper, st.Mode())
	}
	return nil
}
