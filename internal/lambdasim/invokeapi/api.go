// Package invokeapi is Lambda's Invoke API in front of one or more
// emulated functions, as runtime-init serve answers it: Invoke
// (RequestResponse, Event, DryRun; LogType Tail), InvokeWithResponseStream,
// and Lambda's refusals, each as the API reference states it:
//
//	https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
//	https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html
//
// The AWS Runtime Interface Emulator's endpoint is the same route with the
// function name "function", so curl commands written for RIE work.
package invokeapi

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
)

// Function is one function the API serves.
type Function struct {
	Name    string
	Invoker emulator.Invoker // its execution environment(s)
}

// Config describes the functions and the handling of asynchronous events.
type Config struct {
	Functions []Function
	Region    string // default "us-east-1", for ARNs in messages
	AccountID string // default "000000000000"
	Async     AsyncConfig
}

// API serves the Invoke API for its functions.
type API struct {
	cfg    Config
	byName map[string]*function
}

type function struct {
	Function
	arn   string
	async *asyncQueue
}

// New checks cfg and starts the asynchronous event queues; Close stops them.
func New(cfg Config) (*API, error) {
	if len(cfg.Functions) == 0 {
		return nil, fmt.Errorf("no function to serve")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if err := cfg.Async.check(); err != nil {
		return nil, err
	}
	a := &API{cfg: cfg, byName: map[string]*function{}}
	for _, f := range cfg.Functions {
		if _, dup := a.byName[f.Name]; dup {
			return nil, fmt.Errorf("function %q given twice", f.Name)
		}
		fn := &function{Function: f, arn: fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", cfg.Region, cfg.AccountID, f.Name)}
		fn.async = newAsyncQueue(fn, cfg.Async)
		a.byName[f.Name] = fn
	}
	return a, nil
}

// Close stops taking asynchronous events and waits for those running.
func (a *API) Close() {
	for _, f := range a.byName {
		f.async.close()
	}
}

// The API's paths; {name} is a function name, ARN or partial ARN.
const (
	PathInvoke = "/2015-03-31/functions/{name}/invocations"
	PathStream = "/2021-11-15/functions/{name}/response-streaming-invocations"
)

// The Invoke API's headers (the API reference's "URI Request Parameters"
// and "Response Elements").
const (
	headerInvocationType  = "X-Amz-Invocation-Type"
	headerLogType         = "X-Amz-Log-Type"
	headerClientContext   = "X-Amz-Client-Context"
	headerRequestID       = "X-Amzn-RequestId"
	headerErrorType       = "X-Amzn-ErrorType"
	headerFunctionError   = "X-Amz-Function-Error"
	headerExecutedVersion = "X-Amz-Executed-Version"
	headerLogResult       = "X-Amz-Log-Result"
)

// latest is the only function version here.
const latest = "$LATEST"

// Handler serves the Invoke API; any other request goes to next (the
// Runtime API, when serve shares the port with it as RIE does), or 404.
func (a *API) Handler(next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathInvoke, a.serveInvoke)       // invoke.go
	mux.HandleFunc("POST "+PathStream, a.serveStreamInvoke) // stream.go
	if next != nil {
		mux.Handle("/", next)
	}
	return mux
}

// lookup finds the function a request names: a name, a full or partial
// ARN, with or without a qualifier (only $LATEST exists here). RIE's fixed
// name "function" is the function when there is only one.
func (a *API) lookup(w http.ResponseWriter, r *http.Request) *function {
	name := r.PathValue("name")
	qualifier := r.URL.Query().Get("Qualifier")
	short := name
	if i := strings.LastIndex(short, "function:"); i >= 0 {
		short = short[i+len("function:"):]
	}
	if n, q, ok := strings.Cut(short, ":"); ok {
		short, qualifier = n, q
	}
	f := a.byName[short]
	if f == nil && short == "function" && len(a.byName) == 1 {
		for _, only := range a.byName {
			f = only
		}
	}
	if f == nil || (qualifier != "" && qualifier != "$LATEST") {
		arn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", a.cfg.Region, a.cfg.AccountID, short)
		if qualifier != "" {
			arn += ":" + qualifier
		}
		renderServiceError(w, http.StatusNotFound, ErrResourceNotFound, "Function not found: "+arn)
		return nil
	}
	return f
}
