// Package modes defines what a mode (exec, http, sharedlib) is to the
// runtime loop: the Mode interface, the mode names and the rule that infers
// one from the handler, and a registry the implementations add themselves
// to by import, the way nfpm registers its package formats.
package modes

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// Mode runs user code for invocations. Invoke is called from
// Config.Concurrency loops at once; a Mode that cannot run concurrently
// serialises internally.
type Mode interface {
	// Init prepares the function (checks the executable, starts the web app,
	// loads the library). An error becomes POST /init/error.
	Init(ctx context.Context) error
	// Invoke handles one event. It returns exactly one outcome; ctx expires
	// at the invocation's deadline.
	Invoke(ctx context.Context, inv *api.Invocation) Response
	// Shutdown stops whatever Init started, within ctx's deadline.
	Shutdown(ctx context.Context) error
}

// ErrTypeSnapStartHook is the type of a failed SnapStart hook, in every
// mode.
const ErrTypeSnapStartHook = "Runtime.SnapStartHookFailed"

// SnapStarter is implemented by a mode whose function can take part in
// SnapStart: BeforeCheckpoint runs after Init, before Lambda snapshots
// the environment; AfterRestore after a restore, before the first
// invocation. A mode with nothing to run returns nil from either.
type SnapStarter interface {
	BeforeCheckpoint(ctx context.Context) error
	AfterRestore(ctx context.Context) error
}

// Response is the outcome of one invocation: an error, a streamed body or a
// buffered body, in that order of precedence.
//
// Err is how a mode fails an invocation, and a streamed body's Read error
// is how it fails one midway: an error from api.Errorf (the runtime's own
// words), a final api.Error (the function's own), or any other error
// (Runtime.Unknown). The bootstrap loop turns it into what Lambda shows,
// "RequestId: <id> Error: <message>" for the runtime's own words, once.
type Response struct {
	Err         error
	Stream      io.ReadCloser // streamed with Lambda-Runtime-Function-Response-Mode: streaming
	Body        []byte
	ContentType string
}

// Fail is the Response for an invocation that failed with an error of
// type typ, in the runtime's own words (api.Errorf).
func Fail(typ, format string, args ...any) Response {
	return Response{Err: api.Errorf(typ, format, args...)}
}

// CheckHandlerFile checks at init that the handler is a file, so a bad
// image fails with one /init/error instead of on every invocation. kind
// names what it should be ("an executable", "a shared library"); with
// executable set the file must also have an execute bit (not on Windows).
func CheckHandlerFile(path, kind string, executable bool) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return api.Errorf(api.ErrTypeHandlerNotFound, "handler %s does not exist (check the image's CMD and LAMBDA_TASK_ROOT)", path)
	case err != nil:
		return api.Errorf(api.ErrTypeInvalidHandler, "handler %s: %v", path, err)
	case st.IsDir():
		return api.Errorf(api.ErrTypeInvalidHandler, "handler %s is a directory, not %s", path, kind)
	case executable && runtime.GOOS != "windows" && st.Mode().Perm()&0o111 == 0:
		return api.Errorf(api.ErrTypeInvalidHandler, "handler %s is not executable (mode %v): chmod +x it", path, st.Mode().Perm())
	}
	return nil
}

// AnswerMargin is how long before an invocation's deadline a mode stops the
// function, so that the runtime itself posts the timeout error in time:
// a tenth of the time left, at least 20 ms and at most 500 ms. The upper
// end leaves room for a loaded machine; on a 15 s function it costs 3%.
func AnswerMargin(remaining time.Duration) time.Duration {
	return min(max(remaining/10, 20*time.Millisecond), 500*time.Millisecond)
}

// Config is what every mode gets from the bootstrap.
type Config struct {
	Command []string // handler path (resolved) and its arguments
	// ExternalApp: the function is not ours to start. faas-runtime runs as
	// a Lambda extension and the app is the image's entrypoint, started by
	// Lambda (only http mode supports this); Command is empty.
	ExternalApp bool
	TaskRoot    string
	Concurrency int
	Log         *slog.Logger
	Getenv      func(string) string
}

// Factory builds a Mode from the bootstrap's Config.
type Factory func(Config) (Mode, error)

var (
	mu        sync.RWMutex
	factories = map[Name]Factory{}
)

// Register makes a mode available under name; modes call it from init().
func Register(name Name, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	factories[name] = f
}

// Lookup returns the factory registered under name.
func Lookup(name Name) (Factory, bool) {
	mu.RLock()
	defer mu.RUnlock()
	f, ok := factories[name]
	return f, ok
}

// Registered lists the modes this build has, sorted.
func Registered() []Name {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]Name, 0, len(factories))
	for n := range factories {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
