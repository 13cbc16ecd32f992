// Command faas-runtime is an AWS Lambda custom runtime (the bootstrap): it
// speaks the Lambda Runtime API and hosts a function that is not compiled
// into it. Install it as /usr/bin/faas-runtime, make it the image's
// ENTRYPOINT and put the function in CMD.
package main

import (
	"fmt"
	"os"

	"github.com/faas-runtime/faas-runtime/runtime/bootstrap"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
	"github.com/faas-runtime/faas-runtime/runtime/version"

	// Handler modes register themselves by import.
	_ "github.com/faas-runtime/faas-runtime/runtime/modes/execmode"
	_ "github.com/faas-runtime/faas-runtime/runtime/modes/httpmode"
)

const usage = `faas-runtime %s: an AWS Lambda custom runtime for functions in slim images.

Usage:
  faas-runtime HANDLER [ARGS...]   serve invocations (the image's CMD is the handler)
  faas-runtime --version
  faas-runtime --help

The handler comes from the arguments, else _HANDLER; a relative path is taken
from LAMBDA_TASK_ROOT (default /var/task). Modes in this build: %v.

Environment:
  AWS_LAMBDA_RUNTIME_API      host:port of the Runtime API (set by Lambda)
  FAAS_MODE                   exec | http | sharedlib (default: sharedlib for
                              a .so handler, http when AWS_LWA_PORT or
                              FAAS_HTTP_PORT is set, else exec; PORT alone
                              does not select http)
  AWS_LAMBDA_MAX_CONCURRENCY  concurrent invocations (Lambda Managed Instances)

exec mode gives the function the event on stdin and takes the response from
stdout; the invocation context is in LAMBDA_REQUEST_ID, LAMBDA_DEADLINE_MS,
LAMBDA_FUNCTION_ARN, _X_AMZN_TRACE_ID, LAMBDA_CLIENT_CONTEXT,
LAMBDA_COGNITO_IDENTITY and LAMBDA_TENANT_ID.

http mode starts the handler once as a web app and sends it each event as an
HTTP request, a drop-in for AWS Lambda Web Adapter: it reads the same
AWS_LWA_* variables (AWS_LWA_PORT, AWS_LWA_INVOKE_MODE=response_stream, ...).
Copied to /opt/extensions (where the adapter goes), faas-runtime runs as a
Lambda extension instead and serves the app that Lambda starts from the
image's ENTRYPOINT/CMD.
`

func main() {
	if len(os.Args) == 2 {
		switch os.Args[1] {
		case "--version", "-version", "-v":
			fmt.Println("faas-runtime", version.Version)
			return
		case "--help", "-help", "-h":
			fmt.Printf(usage, version.Version, modes.Registered())
			return
		}
	}
	os.Exit(bootstrap.Main(os.Args[0], os.Args[1:]))
}
