package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// settings are the function's configuration as Lambda hands it to the
// runtime in its environment. The user's values win: an Options field
// (a flag), else the variable in Options.Env, else in this process's environment
// (as RIE forwards its own environment to the function:
// internal/lambda/rie/handlers.go, InitHandler), else the default.
type settings struct {
	name           string
	memoryMB       int
	version        string
	region         string
	accountID      string
	handler        string
	logGroup       string // "" until resolved: /aws/lambda/<name>
	logStream      string // "": a new one per execution environment
	snapStart      bool   // AWS_LAMBDA_INITIALIZATION_TYPE=snap-start
	jsonLogs       bool   // AWS_LAMBDA_LOG_FORMAT=JSON: Lambda's own lines as platform.* records
	maxConcurrency int    // 0: not in Managed Instances mode
}

// Lambda's limits on a function's name and memory.
var functionNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

const (
	minMemoryMB = 128
	maxMemoryMB = 10240
)

// SettingsError is a function setting Lambda would refuse (a name, a
// memory size), from Options or the environment.
type SettingsError struct{ msg string }

func (e *SettingsError) Error() string { return e.msg }

func badSetting(format string, args ...any) error {
	return &SettingsError{fmt.Sprintf(format, args...)}
}

func resolveSettings(o Options) (settings, error) {
	look := func(k string) string {
		for i := len(o.Env) - 1; i >= 0; i-- {
			if len(o.Env[i]) > len(k) && o.Env[i][:len(k)+1] == k+"=" {
				return o.Env[i][len(k)+1:]
			}
		}
		return os.Getenv(k)
	}
	or := func(v, k, def string) string {
		if v != "" {
			return v
		}
		if v = look(k); v != "" {
			return v
		}
		return def
	}
	fn := settings{
		name:    or(o.FunctionName, "AWS_LAMBDA_FUNCTION_NAME", "function"),
		version: or("", "AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
		region:  or("", "AWS_REGION", "us-east-1"),
		// As RIE's Managed Instances mode reads it
		// (internal/lambda-managed-instances/aws-lambda-rie/internal/init.go).
		accountID: or("", "AWS_ACCOUNT_ID", "000000000000"),
		logStream: look("AWS_LAMBDA_LOG_STREAM_NAME"),
		jsonLogs:  strings.EqualFold(look("AWS_LAMBDA_LOG_FORMAT"), "JSON"),
	}
	if !functionNameRE.MatchString(fn.name) {
		return fn, badSetting("function name %q: want 1 to 64 letters, digits, - or _ (AWS_LAMBDA_FUNCTION_NAME)", fn.name)
	}
	fn.logGroup = or("", "AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/"+fn.name)

	fn.memoryMB = o.MemoryMB
	if fn.memoryMB == 0 {
		v := or("", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", strconv.Itoa(minMemoryMB))
		n, err := strconv.Atoi(v)
		if err != nil {
			return fn, badSetting("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%q: want whole megabytes from %d to %d", v, minMemoryMB, maxMemoryMB)
		}
		fn.memoryMB = n
	}
	if fn.memoryMB < minMemoryMB || fn.memoryMB > maxMemoryMB {
		return fn, badSetting("memory %d MB: Lambda allows %d to %d MB", fn.memoryMB, minMemoryMB, maxMemoryMB)
	}

	// RIE takes the handler from the bootstrap command's last argument
	// (internal/lambda/rie/run.go, getBootstrap) unless _HANDLER or
	// AWS_LAMBDA_FUNCTION_HANDLER is set (rie/handlers.go, InitHandler).
	fn.handler = or(look("AWS_LAMBDA_FUNCTION_HANDLER"), "_HANDLER", o.Handler)
	if fn.handler == "" && len(o.Command) > 1 {
		fn.handler = o.Command[len(o.Command)-1]
	}

	fn.maxConcurrency = o.MaxConcurrency
	if v := look("AWS_LAMBDA_MAX_CONCURRENCY"); fn.maxConcurrency == 0 && v != "" {
		// A bad value is the runtime's to report (Runtime.InvalidConfig),
		// as in Lambda; the emulator then holds it to one at a time.
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			fn.maxConcurrency = n
		}
	}
	fn.snapStart = o.SnapStart || look(api.InitTypeEnv) == api.InitSnapStart
	return fn, nil
}

// newLogStream names a log stream as Lambda does for each execution
// environment: "2006/01/02/[$LATEST]" and 32 hex digits.
func newLogStream(version string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return time.Now().UTC().Format("2006/01/02") + "/[" + version + "]" + hex.EncodeToString(b)
}

// environ lists the function's variables; stream is the current
// environment's log stream.
func (fn settings) environ(stream string) []string {
	env := []string{
		"AWS_LAMBDA_FUNCTION_NAME=" + fn.name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(fn.memoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION=" + fn.version,
		"AWS_LAMBDA_LOG_GROUP_NAME=" + fn.logGroup,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + stream,
		"AWS_REGION=" + fn.region,
	}
	if fn.handler != "" {
		env = append(env, "_HANDLER="+fn.handler)
	}
	if fn.maxConcurrency > 0 {
		env = append(env, "AWS_LAMBDA_MAX_CONCURRENCY="+strconv.Itoa(fn.maxConcurrency))
	}
	initType := "on-demand"
	if fn.snapStart {
		initType = api.InitSnapStart
	}
	return append(env, api.InitTypeEnv+"="+initType)
}
