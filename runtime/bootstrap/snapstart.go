package bootstrap

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/client"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
)

// ErrTypeRestoreError is the type of a failed after-restore hook, as the
// AWS runtimes report it (aws-lambda-python-runtime-interface-client PR
// #176 posts its hook failures to /restore/error).
const ErrTypeRestoreError = "Runtime.RestoreError"

// snapStart runs the SnapStart lifecycle between init and the invoke loop
// (AWS "Implementing SnapStart hooks for container images"): the mode's
// before-checkpoint hooks, GET /runtime/restore/next (the snapshot is taken
// while it waits), then a fresh Runtime API connection, since one captured
// in the snapshot is shared by every restored copy, and the after-restore
// hooks. A failed before-checkpoint hook is an init error (/init/error); a
// failed after-restore hook goes to /restore/error. It returns the client
// the loop starts on, or a non-zero exit code. The runtime itself keeps no
// random state to reseed: its ids come from Lambda.
func snapStart(ctx context.Context, cfg *Config, h modes.Mode, c *client.Client, log *slog.Logger, report func(error) int) (*client.Client, int) {
	hooks, _ := h.(modes.SnapStarter)
	if hooks != nil {
		if err := hooks.BeforeCheckpoint(ctx); err != nil {
			return nil, report(err)
		}
	}
	log.Info("SnapStart: ready for the snapshot", "hooks", hooks != nil)
	if err := c.RestoreNext(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, 0
		}
		log.Error("SnapStart: restore/next failed", "err", err)
		return nil, 1
	}
	start := time.Now()
	c = client.New(cfg.Endpoint) // no connection from before the snapshot
	if hooks != nil {
		if err := hooks.AfterRestore(ctx); err != nil {
			e := api.InitBody(err, ErrTypeRestoreError)
			log.Error("SnapStart: after-restore hook failed", "type", e.Type, "msg", e.Message)
			rctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if err := c.RestoreError(rctx, e); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("could not report the restore error", "err", err)
			}
			return nil, 1
		}
	}
	log.Info("SnapStart: restored", "after_restore", time.Since(start).Round(time.Microsecond))
	return c, 0
}
