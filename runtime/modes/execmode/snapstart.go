package execmode

import (
	"context"
	"os"
	"os/exec"
	"strings"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
)

// SnapStart hooks of exec mode: programs run once before the snapshot and
// once after each restore. A variable's value is the program and its
// arguments, split on spaces ("/var/task/handler --after-restore"). The
// names follow AWS Lambda Web Adapter's AWS_LWA_SNAPSTART_BEFORE_CHECKPOINT_PATH
// and _AFTER_RESTORE_PATH, with this runtime's FAAS_ prefix, since here
// they name programs, not paths of a web app. Each runs with the
// function's environment, its output in the log; a non-zero exit fails the
// phase (init before the snapshot, the restore after). Like the adapter's
// hooks they have no deadline of their own: Lambda bounds both phases.
const (
	EnvBeforeCheckpoint = "FAAS_SNAPSTART_BEFORE_CHECKPOINT"
	EnvAfterRestore     = "FAAS_SNAPSTART_AFTER_RESTORE"
)

// BeforeCheckpoint runs FAAS_SNAPSTART_BEFORE_CHECKPOINT, if set.
func (e *Mode) BeforeCheckpoint(ctx context.Context) error {
	return e.runHook(ctx, EnvBeforeCheckpoint)
}

// AfterRestore runs FAAS_SNAPSTART_AFTER_RESTORE, if set.
func (e *Mode) AfterRestore(ctx context.Context) error {
	return e.runHook(ctx, EnvAfterRestore)
}

func (e *Mode) runHook(ctx context.Context, env string) error {
	argv := strings.Fields(e.getenv(env))
	if len(argv) == 0 {
		return nil
	}
	path := argv[0]
	if err := modes.CheckHandlerFile(path, "an executable ("+env+")", true); err != nil {
		return api.Errorf(modes.ErrTypeSnapStartHook, "%s: %v", env, err)
	}
	cmd := exec.CommandContext(ctx, path, argv[1:]...)
	tail := modes.NewTail(os.Stderr, modes.StderrTail)
	cmd.Stdout, cmd.Stderr = os.Stderr, tail
	if err := cmd.Run(); err != nil {
		return api.Errorf(modes.ErrTypeSnapStartHook, "%s=%s: %s%s", env, path, exitDescription(err), tail.Note())
	}
	e.log.Info("SnapStart hook done", "env", env, "hook", path)
	return nil
}
