// Package emulator is the server side of the Lambda Runtime API, faithful
// to the real one in routes, headers, status codes and limits, plus the
// invoke endpoint of the AWS Runtime Interface Emulator (RIE), so curl
// commands written for RIE work unchanged. Unlike RIE it accepts streamed
// responses and forwards their chunks as they arrive.
//
// The files follow RIE's layout: this one is the emulated function and its
// execution environment; lifecycle.go the invocation state machine;
// router.go the table of contents of the routes, one file each; and
// errortypes.go every error type it answers with. What it remembers of an
// ended invocation is its id, for a bounded while; Config.Observe tells a
// test every step, for a ledger kept outside (package emulatortest).
package emulator

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// Config describes the emulated function.
type Config struct {
	FunctionName string        // default "function"
	Region       string        // default "us-east-1"
	AccountID    string        // default "000000000000"
	Timeout      time.Duration // default 3 s, Lambda's default
	Log          *slog.Logger  // default: discard
	Handler      string        // the function's handler, told to extensions at registration
	// MaxConcurrency is how many invocations the runtime may hold at once:
	// 1, as in Lambda, unless the environment is in Lambda Managed
	// Instances mode (AWS_LAMBDA_MAX_CONCURRENCY). A /next beyond it waits.
	MaxConcurrency int
	// Observe, when set, is told each step of every invocation (see
	// Event). It is called with the emulator's lock held: it must be quick
	// and must not call back into the emulator.
	Observe func(Event)
	// Telemetry takes Telemetry API and Logs API subscriptions; nil
	// answers them as RIE's stub does.
	Telemetry Subscriber

	// BeforeInvoke runs before an invocation is queued; the sandbox uses it
	// to (re)start the runtime process lazily, as Lambda does.
	BeforeInvoke func(ctx context.Context) error
	// OnTimeout runs when an invocation's deadline passes unanswered;
	// Lambda then resets the execution environment. In Managed Instances
	// mode (MaxConcurrency above 1) it is not called: there Lambda fails
	// the one invocation and lets the function run on, other invocations
	// with it (AWS "Understanding the Lambda Managed Instances execution
	// environment", Invocation timeouts).
	OnTimeout func(requestID string)
}

// TimeoutFromEnv reads AWS_LAMBDA_FUNCTION_TIMEOUT (whole seconds).
func TimeoutFromEnv(getenv func(string) string) (time.Duration, error) {
	v := getenv("AWS_LAMBDA_FUNCTION_TIMEOUT")
	if v == "" {
		return 3 * time.Second, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 900 {
		return 0, fmt.Errorf("AWS_LAMBDA_FUNCTION_TIMEOUT=%q: want whole seconds from 1 to 900", v)
	}
	return time.Duration(n) * time.Second, nil
}

// Emulator is one emulated function with one execution environment.
type Emulator struct {
	cfg   Config
	queue chan *invocation

	slots chan struct{} // one token per invocation held by the runtime

	mu       sync.Mutex
	byID     map[string]*invocation // queued and delivered invocations
	ended    endedIDs               // recently ended ids, to answer late posts 403
	initErr  *api.Error
	served   bool // a /next has been answered since the last runtime start
	ready    bool // the runtime has asked for its first event: its init is done
	restores int  // restore/next calls answered (SnapStart)
	alive    bool // a runtime process is running (when a sandbox manages one)

	exts      map[string]*extension // registered extensions, by identifier
	extOrder  []*extension          // in registration order
	extNotify chan struct{}         // closed and replaced when exts changes
}

// New returns an Emulator; serve its Handler on a loopback listener.
func New(cfg Config) *Emulator {
	if cfg.FunctionName == "" {
		cfg.FunctionName = "function"
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxConcurrency < 1 {
		cfg.MaxConcurrency = 1
	}
	e := &Emulator{cfg: cfg, queue: make(chan *invocation, 1024), byID: map[string]*invocation{},
		slots: make(chan struct{}, cfg.MaxConcurrency)}
	e.resetExtensionsLocked()
	return e
}

// FunctionARN is the ARN handed to the runtime, built from the function's
// name as RIE builds it (internal/lambda/rie/handlers.go, InvokedFunctionArn).
func (e *Emulator) FunctionARN() string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", e.cfg.Region, e.cfg.AccountID, e.cfg.FunctionName)
}

// Timeout is the function timeout in force.
func (e *Emulator) Timeout() time.Duration { return e.cfg.Timeout }
