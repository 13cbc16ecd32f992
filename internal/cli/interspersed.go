package cli

import (
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// positionalArgs returns the command's positional arguments and applies any
// flags that came after the first one: urfave/cli v2 stops parsing flags at
// the first positional argument, but the documented form is
// `runtime-init build FUNCTION --base ...`.
func positionalArgs(c *ucli.Context) ([]string, error) {
	return applyFlags(c, c.Args().Slice())
}

// applyFlags sets the command's flags found in args and returns the rest;
// everything after a "--" is positional.
func applyFlags(c *ucli.Context, args []string) ([]string, error) {
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := commandFlag(c, name)
		if f == nil {
			return nil, Usagef("%s: flag provided but not defined: %s", c.Command.Name, a)
		}
		if !hasVal {
			if _, isBool := f.(*ucli.BoolFlag); isBool {
				val = "true"
			} else {
				if i+1 >= len(args) {
					return nil, Usagef("%s: flag needs an argument: %s", c.Command.Name, a)
				}
				i++
				val = args[i]
			}
		}
		if err := c.Set(name, val); err != nil {
			return nil, Usagef("%s: %s: %v", c.Command.Name, a, err)
		}
	}
	return pos, nil
}

// commandFlag is the command's flag called name (without dashes), or nil.
func commandFlag(c *ucli.Context, name string) ucli.Flag {
	for _, f := range c.Command.Flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// argvKey is the App.Metadata key under which Main keeps the raw command
// line: urfave/cli consumes a "--" that ends the flags, and invoke and
// serve need to know whether one came before HANDLER.
const argvKey = "argv"

// handlerArgs returns HANDLER [ARGS...] for invoke and serve.
//
//	invoke [FLAGS] -- HANDLER ARGS...         ARGS go to the handler verbatim
//	invoke [FLAGS] HANDLER [FLAGS] -- ARGS... flags between HANDLER and -- are runtime-init's
//	invoke [FLAGS] HANDLER ARGS...            ARGS go to the handler; one that names a
//	                                          runtime-init flag is refused as ambiguous
//
// A runtime-init flag after HANDLER is thus never silently handed to the
// function, and a handler's own flags are never taken by runtime-init.
func handlerArgs(c *ucli.Context) ([]string, error) {
	args := c.Args().Slice()
	if len(args) == 0 || dashDashBeforeHandler(c, len(args)) {
		return args, nil
	}
	handler, rest := args[0], args[1:]
	for i, a := range rest {
		if a != "--" {
			continue
		}
		stray, err := applyFlags(c, rest[:i])
		if err != nil {
			return nil, err
		}
		if len(stray) > 0 {
			return nil, Usagef("%s: %q between HANDLER and --: only runtime-init's flags go there; the handler's arguments go after --", c.Command.Name, stray[0])
		}
		return append([]string{handler}, rest[i+1:]...), nil
	}
	for _, a := range rest {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && commandFlag(c, name) != nil {
			return nil, Usagef("%[1]s: %[2]s after HANDLER would be passed to the handler as an argument; "+
				"put runtime-init's flags before HANDLER (runtime-init %[1]s %[2]s ... -- %[3]s) "+
				"or end them with -- (runtime-init %[1]s %[3]s %[2]s ... -- [ARGS...])", c.Command.Name, a, handler)
		}
	}
	return args, nil
}

// dashDashBeforeHandler reports whether the raw command line had "--"
// just before the n arguments urfave/cli left as positional.
func dashDashBeforeHandler(c *ucli.Context, n int) bool {
	argv, _ := c.App.Metadata[argvKey].([]string)
	i := len(argv) - n - 1
	return i >= 0 && argv[i] == "--"
}
