package cli

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/invokeapi"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/sandbox"
)

func serveCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "serve",
		Usage:     "keep functions running behind Lambda's Invoke API until interrupted",
		ArgsUsage: "[--] HANDLER [ARGS...]",
		Description: "Invoke it as you would the AWS Runtime Interface Emulator:\n" +
			"  curl -XPOST http://127.0.0.1:9000/2015-03-31/functions/function/invocations -d '{}'\n" +
			"or with an AWS SDK whose endpoint is http://127.0.0.1:9000. Several functions:\n" +
			"  runtime-init serve --function a=HANDLER --function b=HANDLER",
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "listen", Value: "127.0.0.1:9000", Usage: "address of the Invoke API (and, with one function in one environment, its Runtime API, as RIE has it)"},
			&ucli.IntFlag{Name: "environments", Value: 1, Usage: "run up to `N` execution environments per function, each its own runtime process, so that concurrent invocations run in parallel as Lambda scales out (N > 1: each environment's Runtime API gets a loopback port of its own)"},
			&ucli.StringSliceFlag{Name: "function", Usage: "serve function `NAME=HANDLER` (repeatable; instead of a HANDLER argument); the name goes in the invoke path"},
			&ucli.IntFlag{Name: "max-retry-attempts", Value: 2, Usage: "retries of a failed asynchronous invocation, 0 to 2, as Lambda's MaximumRetryAttempts"},
			&ucli.DurationFlag{Name: "max-event-age", Value: 6 * time.Hour, Usage: "how long an asynchronous event may wait for a (re)try, 60s to 6h, as Lambda's MaximumEventAgeInSeconds"},
			&ucli.DurationFlag{Name: "retry-delay", Value: time.Minute, Usage: "wait before the first retry of an asynchronous event (the second waits twice as long); Lambda's is 1m"},
			&ucli.StringFlag{Name: "on-failure", Usage: "write a destination record for each asynchronous event that finally fails into `DIR`"},
			&ucli.StringFlag{Name: "on-success", Usage: "write a destination record for each asynchronous event that succeeds into `DIR`"},
			&ucli.StringFlag{Name: "function-url", Usage: "also serve the function as a Lambda function URL on `ADDR` (host:port): HTTP requests become the function URL event, its answer the HTTP response"},
			&ucli.StringFlag{Name: "invoke-mode", Value: "BUFFERED", Usage: "the function URL's invoke mode: BUFFERED or RESPONSE_STREAM"},
		}, functionFlags()...),
		Action: serve,
	}
}

// served is one function serve runs.
type served struct {
	name string
	args []string // HANDLER [ARGS...]
}

func serve(c *ucli.Context) error {
	fns, err := servedFunctions(c)
	if err != nil {
		return err
	}
	n := c.Int("environments")
	if n < 1 || n > maxEnvironments {
		return Usagef("--environments %d: want 1 to %d", n, maxEnvironments)
	}
	if a := c.Int("max-retry-attempts"); a < 0 || a > 2 {
		return Usagef("--max-retry-attempts %d: Lambda allows 0 to 2", a)
	}
	async := invokeapi.AsyncConfig{MaxRetryAttempts: c.Int("max-retry-attempts"), MaxEventAge: c.Duration("max-event-age"),
		RetryDelay: c.Duration("retry-delay"), OnFailure: c.String("on-failure"), OnSuccess: c.String("on-success")}
	if async.MaxRetryAttempts == 0 {
		async.MaxRetryAttempts = -1 // none, not the default
	}
	// Catch Ctrl-C before any process starts: one arriving in between
	// would end serve and leave them behind. The deferred closes below run
	// before stop: they are bounded and end every process of the
	// environments, so a second Ctrl-C in the meantime need not cut them
	// short.
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", c.String("listen"))
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.String("listen"), err)
	}
	defer ln.Close()
	// The Invoke API stops last: invocations in flight get their
	// environment's answer first.
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			_ = srv.Close()
		}
	}()
	// With one function in one environment, the Runtime API shares the
	// Invoke API's port, as in RIE; otherwise each environment has its own.
	shared := len(fns) == 1 && n == 1
	var pools []*sandbox.Pool
	defer func() {
		for _, p := range pools {
			p.Close()
		}
	}()
	cfg := invokeapi.Config{Async: async}
	for _, f := range fns {
		opts, err := sandboxOptionsFor(c, f.args)
		if err != nil {
			return err
		}
		if f.name != "" {
			opts.FunctionName = f.name
		}
		opts.Listen = "127.0.0.1:0"
		if shared {
			opts.RuntimeAPI = ln.Addr().String()
		}
		p, err := sandbox.StartPool(opts, n)
		if err != nil {
			return settingsError(err)
		}
		pools = append(pools, p)
		env := p.Environments()[0]
		cfg.Functions = append(cfg.Functions, invokeapi.Function{Name: env.FunctionName(), Invoker: p})
		cfg.Region, cfg.AccountID = env.Region(), env.AccountID()
	}
	api, err := invokeapi.New(cfg)
	if err != nil {
		return Usagef("%v", err)
	}
	defer api.Close()
	var runtimeAPI http.Handler
	if shared {
		runtimeAPI = pools[0].Environments()[0].Emulator().Handler()
	}
	srv.Handler = api.Handler(runtimeAPI)
	go srv.Serve(ln)
	if addr := c.String("function-url"); addr != "" {
		url, err := serveFunctionURL(c, api, cfg.Functions, addr)
		if err != nil {
			return err
		}
		defer url.Close()
	}
	for i, f := range cfg.Functions {
		path := "function"
		if len(fns) > 1 {
			path = f.Name
		}
		fmt.Fprintf(c.App.ErrWriter, "runtime-init: serving %s on http://%s/2015-03-31/functions/%s/invocations (Ctrl-C stops)\n", fns[i].args[0], ln.Addr(), path)
	}
	for _, p := range pools {
		if err := p.StartRuntime(ctx); err != nil {
			return err
		}
	}
	<-ctx.Done()
	return nil
}

// servedFunctions reads --function NAME=HANDLER flags, or the single
// HANDLER [ARGS...] of the one-function form.
func servedFunctions(c *ucli.Context) ([]served, error) {
	specs := c.StringSlice("function")
	if len(specs) == 0 {
		args, err := handlerArgs(c)
		if err != nil {
			return nil, err
		}
		return []served{{args: args}}, nil
	}
	if c.Args().Len() > 0 {
		return nil, Usagef("serve: give either --function NAME=HANDLER flags or one HANDLER [ARGS...], not both")
	}
	if c.IsSet("function-name") {
		return nil, Usagef("serve: --function-name names the one function; with --function, the name is before the =")
	}
	var fns []served
	for _, spec := range specs {
		name, handler, ok := strings.Cut(spec, "=")
		args := strings.Fields(handler)
		if !ok || name == "" || len(args) == 0 {
			return nil, Usagef("--function %q: want NAME=HANDLER", spec)
		}
		fns = append(fns, served{name: name, args: args})
	}
	return fns, nil
}

// serveFunctionURL serves the one function as a function URL on addr
// until serve ends; the caller closes the server.
func serveFunctionURL(c *ucli.Context, api *invokeapi.API, fns []invokeapi.Function, addr string) (*http.Server, error) {
	if len(fns) != 1 {
		return nil, Usagef("--function-url serves one function; with several, run one serve per function URL")
	}
	h, err := api.FunctionURL(fns[0].Name, strings.ToUpper(c.String("invoke-mode")))
	if err != nil {
		return nil, Usagef("--invoke-mode: %v", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--function-url: listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	fmt.Fprintf(c.App.ErrWriter, "runtime-init: function URL (%s) of %s on http://%s/\n", strings.ToUpper(c.String("invoke-mode")), fns[0].Name, ln.Addr())
	return srv, nil
}
