package bootstrap

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
)

// Config is everything the bootstrap reads from its arguments and the
// environment, resolved once at start-up.
type Config struct {
	Endpoint     string   // AWS_LAMBDA_RUNTIME_API, or AWS_LWA_LAMBDA_RUNTIME_API_PROXY in http mode
	Proxied      bool     // Endpoint is the proxy
	Command      []string // resolved handler and its arguments
	Mode         modes.Name
	ModeInferred bool
	Concurrency  int
	TaskRoot     string
	// SnapStart: AWS_LAMBDA_INITIALIZATION_TYPE=snap-start; the runtime
	// runs the SnapStart lifecycle between init and the first /next
	// (runtime role only: in the extension role Lambda's runtime does).
	SnapStart bool
}

// ModeEnv selects the handler mode; when unset the mode is inferred.
const ModeEnv = "FAAS_MODE"

// LoadConfig resolves the configuration. args is the container's CMD (the
// bootstrap's arguments). An error is an init error to report to the
// Runtime API, with its Lambda error type (api.TypeOf); the endpoint is
// returned even then when it is known.
func LoadConfig(args []string, getenv func(string) string) (*Config, error) {
	c, err := loadCommon(getenv)
	if err != nil {
		return c, err
	}
	cmd := args
	if len(cmd) == 0 {
		if h := strings.TrimSpace(getenv("_HANDLER")); h != "" {
			cmd = []string{h}
		}
	}
	if len(cmd) == 0 || cmd[0] == "" {
		return c, api.Errorf(api.ErrTypeInvalidHandler, "no handler: set the image's CMD (or _HANDLER) to the function to run")
	}
	c.Command = append([]string{resolveHandler(cmd[0], c.TaskRoot)}, cmd[1:]...)

	if c.Mode, err = modeFromEnv(getenv); err != nil {
		return c, err
	}
	if c.Mode == "" {
		c.Mode, c.ModeInferred = modes.Infer(c.Command[0], getenv), true
	}
	if c.Mode == modes.HTTP {
		c.useRuntimeAPIProxy(getenv)
	}
	c.SnapStart = getenv(api.InitTypeEnv) == api.InitSnapStart
	return c, nil
}

// modeFromEnv reads ModeEnv with modes.Parse; "" when it is not set.
func modeFromEnv(getenv func(string) string) (modes.Name, error) {
	v := getenv(ModeEnv)
	if strings.TrimSpace(v) == "" {
		return "", nil
	}
	m, err := modes.Parse(v)
	if err != nil {
		return "", api.Errorf(api.ErrTypeBadConfig, "%s: %v", ModeEnv, err)
	}
	return m, nil
}

// RuntimeAPIProxyEnv is AWS Lambda Web Adapter's variable for sending the
// Runtime API traffic through a proxy: it replaces AWS_LAMBDA_RUNTIME_API
// for the runtime itself (awslabs/aws-lambda-web-adapter v1.0.0,
// src/lib.rs, apply_runtime_proxy_config, called first in src/main.rs).
// The web app's own environment keeps the real endpoint, as the app in
// the adapter's layout does.
const RuntimeAPIProxyEnv = "AWS_LWA_LAMBDA_RUNTIME_API_PROXY"

func (c *Config) useRuntimeAPIProxy(getenv func(string) string) {
	if p := strings.TrimSpace(getenv(RuntimeAPIProxyEnv)); p != "" {
		c.Endpoint, c.Proxied = p, true
	}
}

// LoadExtensionConfig is LoadConfig for the extension role: no handler
// (the app is the image's entrypoint, started by Lambda) and http mode.
func LoadExtensionConfig(getenv func(string) string) (*Config, error) {
	c, err := loadCommon(getenv)
	if err != nil {
		return c, err
	}
	if c.Mode, err = modeFromEnv(getenv); err != nil {
		return c, err
	}
	switch c.Mode {
	case "":
		c.Mode, c.ModeInferred = modes.HTTP, true
	case modes.HTTP:
	default:
		return c, api.Errorf(api.ErrTypeBadConfig, "%s=%q: started as a Lambda extension (from an extensions directory), faas-runtime serves a web app that Lambda starts: only http mode works this way; for %s mode make faas-runtime the image's ENTRYPOINT instead", ModeEnv, c.Mode, c.Mode)
	}
	c.useRuntimeAPIProxy(getenv)
	return c, nil
}

// loadCommon reads what both roles need: the endpoint, the concurrency
// and the task root.
func loadCommon(getenv func(string) string) (*Config, error) {
	c := &Config{Endpoint: getenv("AWS_LAMBDA_RUNTIME_API"), Concurrency: 1}
	c.TaskRoot = getenv("LAMBDA_TASK_ROOT")
	if c.TaskRoot == "" {
		c.TaskRoot = "/var/task"
	}
	if c.Endpoint == "" {
		return c, api.Errorf(api.ErrTypeBadConfig, "AWS_LAMBDA_RUNTIME_API is not set: faas-runtime must run inside Lambda or under an emulator (runtime-init invoke)")
	}
	if v := getenv("AWS_LAMBDA_MAX_CONCURRENCY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1024 {
			return c, api.Errorf(api.ErrTypeBadConfig, "AWS_LAMBDA_MAX_CONCURRENCY=%q: want a whole number from 1 to 1024", v)
		}
		c.Concurrency = n
	}
	return c, nil
}

// resolveHandler makes a relative handler absolute against the task root.
// A bare name that is not in the task root is looked up in PATH, so that
// CMD ["python3", "app.py"] works in http mode.
func resolveHandler(h, taskRoot string) string {
	if filepath.IsAbs(h) {
		return h
	}
	inRoot := filepath.Join(taskRoot, h)
	if strings.ContainsAny(h, `/\`) || fileExists(inRoot) {
		return inRoot
	}
	if p, err := exec.LookPath(h); err == nil {
		return p
	}
	return inRoot // reported as not found by the mode's Init
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
