package bootstrap

import (
	"context"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/client"
)

// The extension role makes faas-runtime a drop-in for AWS Lambda Web
// Adapter in the adapter's own place: copied to /opt/extensions, it is
// started by Lambda as an external extension, and the image's entrypoint
// is the web app itself. Switching from the adapter is then one changed
// COPY line. Like the adapter it registers with the Extensions API (so
// Lambda starts it before the app and waits for it), then takes the
// invocations from the Runtime API and sends them to the app as HTTP.

// IsExtension reports whether the process was started the way Lambda
// starts external extensions: from a directory named extensions
// (/opt/extensions), with no arguments.
func IsExtension(argv0 string, args []string) bool {
	return len(args) == 0 && filepath.Base(filepath.Dir(argv0)) == "extensions"
}

// extensionRegisterTimeout bounds registration: Lambda waits for every
// extension to register before it starts the runtime.
const extensionRegisterTimeout = 5 * time.Second

// RunExtension runs the extension role under name (Lambda requires the
// executable's file name). It subscribes to SHUTDOWN only, so invocations
// are not slowed by INVOKE events, and ends on SHUTDOWN or SIGTERM.
func RunExtension(ctx context.Context, name string, getenv func(string) string, log *slog.Logger) int {
	return runExtension(ctx, name, getenv, log, nil)
}

func runExtension(ctx context.Context, name string, getenv func(string) string, log *slog.Logger, p *process) int {
	log = log.With("role", "extension")
	cfg, cerr := LoadExtensionConfig(getenv)
	if cfg.Endpoint == "" {
		e := api.InitBody(cerr, api.ErrTypeInitError)
		log.Error("init failed", "type", e.Type, "msg", e.Message)
		return 1
	}
	x := client.NewExtension(cfg.Endpoint)
	rctx, cancel := context.WithTimeout(ctx, extensionRegisterTimeout)
	err := x.Register(rctx, name, []string{api.ExtensionEventShutdown})
	cancel()
	if err != nil {
		log.Error("extension registration failed", "name", name, "err", err)
		return 1
	}
	report := func(err error) int {
		e := api.InitBody(err, api.ErrTypeInitError)
		log.Error("init failed", "type", e.Type, "msg", e.Message)
		rctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := x.InitError(rctx, e); err != nil {
			log.Error("could not report init error", "err", err)
		}
		return 1
	}
	if cerr != nil {
		return report(cerr)
	}

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		defer stop()
		for {
			ev, err := x.NextEvent(ctx)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				log.Error("extension events", "err", err)
				return
			case ev.EventType == api.ExtensionEventShutdown:
				log.Info("shutdown event", "reason", ev.ShutdownReason)
				return
			}
		}
	}()
	return run(ctx, cfg, getenv, log, report, p)
}
