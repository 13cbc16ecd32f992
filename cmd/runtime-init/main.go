// Command runtime-init is faas-runtime's CLI: scaffold Lambda image
// projects, build and inspect images without a Docker daemon, and run
// functions locally through the Runtime API emulator.
package main

import (
	"os"

	"github.com/faas-runtime/faas-runtime/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args)) }
