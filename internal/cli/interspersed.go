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
	bools := map[string]bool{}
	known := map[string]bool{}
	for _, f := range c.Command.Flags {
		_, isBool := f.(*ucli.BoolFlag)
		for _, n := range f.Names() {
			known[n] = true
			bools[n] = isBool
		}
	}
	var pos []string
	args := c.Args().Slice()
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
		if !known[name] {
			return nil, Usagef("%s: flag provided but not defined: %s", c.Command.Name, a)
		}
		if !hasVal {
			if bools[name] {
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
