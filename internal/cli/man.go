package cli

import (
	ucli "github.com/urfave/cli/v2"
)

// manDescription is the man page's DESCRIPTION section.
const manDescription = "runtime-init scaffolds AWS Lambda image projects for faas-runtime, " +
	"builds and inspects images without a Docker daemon, and runs functions locally " +
	"through a Runtime API emulator."

// manCommand prints runtime-init(1) in roff, generated from the command
// tree. It is hidden: packagers run it once at build time (as nfpm's
// scripts/manpages.sh runs `nfpm man`), so the packaging code never links
// the CLI and the page follows the binary it documents.
func manCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "man",
		Usage:  "print the runtime-init(1) man page (roff), for packagers",
		Hidden: true,
		Action: func(c *ucli.Context) error {
			if c.NArg() != 0 {
				return &UsageError{Msg: "man: takes no arguments"}
			}
			page, err := ManPage(c.App)
			if err != nil {
				return err
			}
			_, err = c.App.Writer.Write(page)
			return err
		},
	}
}

// ManPage is app's man page, section 1, in roff.
func ManPage(app *ucli.App) ([]byte, error) {
	described := *app
	described.Description = manDescription
	roff, err := described.ToManWithSection(1)
	return []byte(roff), err
}
