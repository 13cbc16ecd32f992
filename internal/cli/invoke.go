package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/invokeapi"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/sandbox"
	"github.com/faas-runtime/faas-runtime/runtime/bootstrap"
	"github.com/faas-runtime/faas-runtime/runtime/modes"

	// The modes the built-in runtime offers.
	_ "github.com/faas-runtime/faas-runtime/runtime/modes/execmode"
	_ "github.com/faas-runtime/faas-runtime/runtime/modes/httpmode"
)

// BootstrapCommand is the hidden first argument with which runtime-init
// re-executes itself as the runtime process, so invoke and serve run the
// real runtime code in its own process (as in Lambda) with nothing else
// installed — on macOS and Windows too.
const BootstrapCommand = "__bootstrap"

// functionFlags are shared by invoke and serve.
func functionFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.DurationFlag{Name: "timeout", Value: 3 * time.Second, Usage: "function timeout (whole seconds, 1s to 900s; default: AWS_LAMBDA_FUNCTION_TIMEOUT seconds, else 3s)"},
		&ucli.StringFlag{Name: "function-name", Usage: "the function's name, in AWS_LAMBDA_FUNCTION_NAME and the ARN (default: AWS_LAMBDA_FUNCTION_NAME, else \"function\")"},
		&ucli.IntFlag{Name: "memory", Usage: "the function's memory in `MB`, 128 to 10240, in AWS_LAMBDA_FUNCTION_MEMORY_SIZE (default: AWS_LAMBDA_FUNCTION_MEMORY_SIZE, else 128)"},
		&ucli.IntFlag{Name: "max-concurrency", Usage: "Lambda Managed Instances mode: each runtime takes up to `N` invocations at once (AWS_LAMBDA_MAX_CONCURRENCY; default: that variable, else one at a time)"},
		&ucli.StringSliceFlag{Name: "env", Usage: "environment variable `K=V` for the function (repeatable)"},
		&ucli.StringFlag{Name: "mode", Usage: "handler mode: exec | http | sharedlib (default: inferred, as faas-runtime does)"},
		&ucli.StringFlag{Name: "runtime", Usage: "run this faas-runtime binary instead of the built-in runtime (on Linux a .so handler defaults to faas-runtime-sharedlib next to runtime-init or in PATH)"},
		&ucli.BoolFlag{Name: "as-extension", Usage: "run faas-runtime as a Lambda extension, where AWS Lambda Web Adapter runs: HANDLER is the web app itself, started as the image's entrypoint (http mode)"},
		&ucli.BoolFlag{Name: "snapstart", Usage: "SnapStart: the runtime gets AWS_LAMBDA_INITIALIZATION_TYPE=snap-start and runs init, its before-checkpoint hooks, the restore phase (simulated: one process) and its after-restore hooks before serving"},
		&ucli.StringSliceFlag{Name: "extension", Usage: "also start executable `FILE` as an external extension, as Lambda starts /opt/extensions/* (repeatable)"},
		&ucli.BoolFlag{Name: "no-report", Usage: "leave out Lambda's START, END and REPORT lines from the function's log"},
	}
}

func invokeCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "invoke",
		Usage:     "run a function once through the Runtime API emulator and print its response",
		ArgsUsage: "[--] HANDLER [ARGS...]",
		Description: "The response goes to stdout (streamed responses as they arrive). A function error prints\n" +
			"the error JSON and exits 1; bad usage exits 2. Function and runtime logs go to stderr.",
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "event", Value: "", Usage: "event `FILE`, or - for stdin (default: {})"},
		}, functionFlags()...),
		Action: func(c *ucli.Context) error {
			opts, err := sandboxOptions(c)
			if err != nil {
				return err
			}
			event, err := readEvent(c.String("event"), c.App.Reader)
			if err != nil {
				return err
			}
			// What Lambda's Invoke API refuses never reaches the function.
			if ref := invokeapi.CheckPayload(event, invokeapi.RequestResponse); ref != nil {
				return Usagef("--event: %v", ref)
			}
			sb, err := sandbox.Start(opts)
			if err != nil {
				return settingsError(err)
			}
			defer sb.Close()
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
			defer stop()
			res, err := sb.Invoke(ctx, event, emulator.InvokeOptions{Stream: flushWriter{c.App.Writer}})
			if err != nil {
				return err
			}
			if !res.Streamed || res.Failed() {
				c.App.Writer.Write(res.Body)
			}
			if len(res.Body) > 0 && res.Body[len(res.Body)-1] != '\n' {
				fmt.Fprintln(c.App.Writer)
			}
			if res.Failed() {
				return ucli.Exit("", ExitFailure)
			}
			return nil
		},
	}
}

// sandboxOptions turns the shared flags and the handler arguments into the
// runtime process to run.
func sandboxOptions(c *ucli.Context) (sandbox.Options, error) {
	args, err := handlerArgs(c)
	if err != nil {
		return sandbox.Options{}, err
	}
	return sandboxOptionsFor(c, args)
}

// sandboxOptionsFor is sandboxOptions for the handler and arguments args.
func sandboxOptionsFor(c *ucli.Context, args []string) (sandbox.Options, error) {
	if len(args) == 0 {
		return sandbox.Options{}, Usagef("%s: no handler given: runtime-init %s [flags] -- HANDLER [ARGS...]", c.Command.Name, c.Command.Name)
	}
	for _, kv := range c.StringSlice("env") {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return sandbox.Options{}, Usagef("--env %q: want K=V", kv)
		}
	}
	timeout := c.Duration("timeout")
	if !c.IsSet("timeout") {
		// As in the AWS emulator: AWS_LAMBDA_FUNCTION_TIMEOUT, in seconds,
		// from --env or else this environment.
		t, err := emulator.TimeoutFromEnv(userEnv(c.StringSlice("env")))
		if err != nil {
			return sandbox.Options{}, Usagef("%v", err)
		}
		timeout = t
	}
	if m := c.String("mode"); m != "" {
		if _, err := modes.Parse(m); err != nil {
			return sandbox.Options{}, Usagef("--%v", err)
		}
	}
	if c.IsSet("memory") && c.Int("memory") == 0 {
		return sandbox.Options{}, Usagef("--memory 0: Lambda allows 128 to 10240 MB")
	}
	if n := c.Int("max-concurrency"); c.IsSet("max-concurrency") && n < 1 {
		return sandbox.Options{}, Usagef("--max-concurrency %d: want at least 1", n)
	}
	if timeout < time.Second || timeout > 900*time.Second || timeout%time.Second != 0 {
		return sandbox.Options{}, Usagef("--timeout %s: Lambda timeouts are whole seconds from 1s to 900s", timeout)
	}
	fn := functionSettings(c, args)
	cwd, err := os.Getwd()
	if err != nil {
		return sandbox.Options{}, err
	}
	env := []string{"LAMBDA_TASK_ROOT=" + cwd}
	if m := c.String("mode"); m != "" {
		env = append(env, bootstrap.ModeEnv+"="+m)
	}
	env = append(env, c.StringSlice("env")...)
	var exts []sandbox.Extension
	for _, x := range c.StringSlice("extension") {
		abs, err := filepath.Abs(x)
		if err != nil {
			return sandbox.Options{}, err
		}
		if fi, err := os.Stat(abs); err != nil || fi.IsDir() {
			return sandbox.Options{}, Usagef("--extension %s: not an executable file", x)
		}
		exts = append(exts, sandbox.Extension{Path: abs})
	}
	runtime := c.String("runtime")
	if c.Bool("as-extension") {
		// faas-runtime is the extension; the app is the runtime process.
		x := sandbox.Extension{Path: runtime, Name: "faas-runtime"}
		if runtime == "" {
			self, err := os.Executable()
			if err != nil {
				return sandbox.Options{}, fmt.Errorf("finding runtime-init's own executable: %w", err)
			}
			x.Path = self // runtime-init started as /opt/extensions/faas-runtime takes the extension role
		} else if x.Path, err = filepath.Abs(runtime); err != nil {
			return sandbox.Options{}, err
		}
		return fn(sandbox.Options{Command: args, Extensions: append([]sandbox.Extension{x}, exts...), Env: env, Timeout: timeout,
			Stdout: c.App.ErrWriter, Stderr: c.App.ErrWriter}), nil
	}
	var cmd []string
	if runtime != "" {
		abs, err := filepath.Abs(runtime)
		if err != nil {
			return sandbox.Options{}, err
		}
		cmd = append([]string{abs}, args...)
	} else if !builtinSharedlib && wantsSharedlib(c.String("mode"), args[0]) {
		rt, err := findSharedlibRuntime()
		if err != nil {
			return sandbox.Options{}, err
		}
		cmd = append([]string{rt}, args...)
	} else {
		self, err := os.Executable()
		if err != nil {
			return sandbox.Options{}, fmt.Errorf("finding runtime-init's own executable: %w", err)
		}
		cmd = append([]string{self, BootstrapCommand}, args...)
	}
	return fn(sandbox.Options{Command: cmd, Extensions: exts, Env: env, Timeout: timeout, Stdout: c.App.ErrWriter, Stderr: c.App.ErrWriter}), nil
}

// maxEnvironments bounds --environments: each is a process of its own.
const maxEnvironments = 64

// functionSettings fills the function's settings from the flags; what is
// unset the sandbox takes from --env, then this environment (as RIE does).
func functionSettings(c *ucli.Context, args []string) func(sandbox.Options) sandbox.Options {
	return func(o sandbox.Options) sandbox.Options {
		o.FunctionName = c.String("function-name")
		o.MemoryMB = c.Int("memory")
		o.MaxConcurrency = c.Int("max-concurrency")
		o.SnapStart = c.Bool("snapstart")
		o.Handler = args[0] // the HANDLER argument, unless _HANDLER is set
		o.Report = !c.Bool("no-report")
		return o
	}
}

// userEnv looks a variable up in --env (the last wins), then in this
// process's environment.
func userEnv(kvs []string) func(string) string {
	return func(k string) string {
		for i := len(kvs) - 1; i >= 0; i-- {
			if v, ok := strings.CutPrefix(kvs[i], k+"="); ok {
				return v
			}
		}
		return os.Getenv(k)
	}
}

// settingsError turns a bad function setting (a name, a memory size) into
// a usage error; anything else stays as it is.
func settingsError(err error) error {
	var se *sandbox.SettingsError
	if errors.As(err, &se) {
		return Usagef("%v", err)
	}
	return err
}

func readEvent(name string, stdin io.Reader) ([]byte, error) {
	var (
		b   []byte
		err error
	)
	switch name {
	case "":
		return []byte("{}"), nil
	case "-":
		b, err = io.ReadAll(stdin)
	default:
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, Usagef("--event: %v", err)
	}
	return b, nil
}

// flushWriter lets streamed chunks reach a terminal or pipe at once.
type flushWriter struct{ w io.Writer }

func (f flushWriter) Write(p []byte) (int, error) { return f.w.Write(p) }

func (f flushWriter) Flush() {
	if s, ok := f.w.(interface{ Sync() error }); ok {
		_ = s.Sync()
	}
}
