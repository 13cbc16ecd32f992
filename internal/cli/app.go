// Package cli assembles runtime-init's commands (urfave/cli/v2). Each
// command lives in its own file or package and is listed in App.
package cli

import (
	"errors"
	"fmt"
	"os"

	ucli "github.com/urfave/cli/v2"

	"github.com/faas-runtime/faas-runtime/runtime/bootstrap"
	"github.com/faas-runtime/faas-runtime/runtime/version"
)

// Exit codes shared by every command.
const (
	ExitOK      = 0
	ExitFailure = 1 // the function failed, or the operation did
	ExitUsage   = 2 // bad flags or arguments
)

// UsageError marks bad input from the user: exit code 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a *UsageError.
func Usagef(format string, args ...any) error { return &UsageError{Msg: fmt.Sprintf(format, args...)} }

// App is runtime-init with every command.
func App() *ucli.App {
	app := &ucli.App{
		Name:    "runtime-init",
		Usage:   "scaffold, build, inspect and run AWS Lambda functions on faas-runtime",
		Version: version.Version,
		Commands: []*ucli.Command{
			invokeCommand(),
			scaffoldCommand(),
			serveCommand(),
			versionCommand(),
			buildCommand(), inspectCommand(),
			completionCommand(), manCommand(),
			helpCommand(),
		},
		// A word that is not a command is a usage error (urfave/cli's
		// default shows "No help topic" and exits 3).
		Action: func(c *ucli.Context) error {
			if c.NArg() == 0 {
				return ucli.ShowAppHelp(c)
			}
			return Usagef("%q is not a command: see runtime-init --help", c.Args().First())
		},
		// Report bad flags ourselves, with exit code 2.
		OnUsageError:   func(c *ucli.Context, err error, _ bool) error { return &UsageError{Msg: err.Error()} },
		ExitErrHandler: func(*ucli.Context, error) {},
	}
	for _, c := range app.Commands {
		if c.OnUsageError == nil {
			c.OnUsageError = usageError
		}
	}
	return app
}

func usageError(_ *ucli.Context, err error, _ bool) error { return &UsageError{Msg: err.Error()} }

// Main runs the CLI and returns the process exit code.
func Main(args []string) int {
	if len(args) > 1 && args[1] == BootstrapCommand {
		return bootstrap.Main(args[0], args[2:])
	}
	if len(args) > 0 && bootstrap.IsExtension(args[0], args[1:]) {
		return bootstrap.Main(args[0], nil) // started as /opt/extensions/faas-runtime (invoke --as-extension)
	}
	ucli.VersionPrinter = printVersion
	app := App()
	app.Metadata = map[string]any{argvKey: args}
	err := app.Run(args)
	if err == nil {
		return ExitOK
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(os.Stderr, "runtime-init:", msg)
	}
	var ue *UsageError
	var ec ucli.ExitCoder
	switch {
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, &ec):
		return ec.ExitCode()
	}
	return ExitFailure
}

// printVersion is what both `version` and `--version` print, in the form
// `faas-runtime --version` uses: NAME VERSION.
func printVersion(c *ucli.Context) { fmt.Fprintln(c.App.Writer, c.App.Name, c.App.Version) }

func versionCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "version",
		Usage: "print the version",
		Action: func(c *ucli.Context) error {
			printVersion(c)
			return nil
		},
	}
}

// helpCommand replaces urfave/cli's, which answers an unknown topic with
// exit code 3: here it is a usage error (2), as for any bad argument.
func helpCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "help",
		Aliases:   []string{"h"},
		Usage:     "show the commands, or one command's flags",
		ArgsUsage: "[COMMAND]",
		Action: func(c *ucli.Context) error {
			switch c.NArg() {
			case 0:
				return ucli.ShowAppHelp(c)
			case 1:
				name := c.Args().First()
				if c.App.Command(name) == nil {
					return Usagef("help: %q is not a command: see runtime-init --help", name)
				}
				return ucli.ShowCommandHelp(c.Lineage()[1], name) // the app's context: its commands
			}
			return Usagef("help: name one command")
		},
	}
}
