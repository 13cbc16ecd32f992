package cli

import (
	"fmt"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/faas-runtime/faas-runtime/internal/scaffold"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
)

// completionShells are the shells `runtime-init completion SHELL` writes a
// script for (Homebrew's generate_completions_from_executable asks for
// each of them; the packages install the same scripts).
var completionShells = []string{"bash", "zsh", "fish"}

func completionCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script for bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Action: func(c *ucli.Context) error {
			if c.NArg() != 1 {
				return &UsageError{Msg: "completion: name one shell: " + strings.Join(completionShells, ", ")}
			}
			script, err := CompletionScript(c.App, c.Args().First())
			if err != nil {
				return &UsageError{Msg: "completion: " + err.Error()}
			}
			_, err = c.App.Writer.Write(script)
			return err
		},
	}
}

// CompletionScript is app's completion script for shell, generated from
// its command tree, so it follows the CLI. The scripts are static:
// urfave/cli's dynamic completion needs a shell round trip per key press,
// and its fish generator knows neither flag values nor our help command.
func CompletionScript(app *ucli.App, shell string) ([]byte, error) {
	switch shell {
	case "bash":
		return []byte(bashCompletion(app)), nil
	case "zsh":
		return []byte(zshCompletion(app)), nil
	case "fish":
		return []byte(fishCompletion(app)), nil
	}
	return nil, fmt.Errorf("no completion for shell %q (want %s)", shell, strings.Join(completionShells, ", "))
}

// flagChoices are the values completion offers after a flag, by command
// and flag name. Other flags that take a value complete file names.
func flagChoices(cmd, flag string) []string {
	m := modes.Strings()
	return map[string]map[string][]string{
		"scaffold": {"base": scaffold.Bases, "arch": scaffold.Arches, "mode": scaffold.Modes, "lang": scaffold.Langs},
		"build":    {"base": {"scratch", "oci-layout:", "tarball:"}, "arch": {"amd64", "arm64", "amd64,arm64"}, "mode": m},
		"invoke":   {"mode": m},
		"serve":    {"mode": m},
	}[cmd][flag]
}

// takesValue reports whether a flag is followed by a value.
func takesValue(f ucli.Flag) bool {
	_, isBool := f.(*ucli.BoolFlag)
	return !isBool
}

func dashed(n string) string {
	if len(n) == 1 {
		return "-" + n
	}
	return "--" + n
}

// ownFlags are a command's flags without urfave/cli's --help, which the
// scripts add themselves.
func ownFlags(flags []ucli.Flag) []ucli.Flag {
	var out []ucli.Flag
	for _, f := range flags {
		if f != ucli.HelpFlag {
			out = append(out, f)
		}
	}
	return out
}

func flagNames(flags []ucli.Flag) []string {
	var out []string
	for _, f := range ownFlags(flags) {
		for _, n := range f.Names() {
			out = append(out, dashed(n))
		}
	}
	return out
}

func flagUsage(f ucli.Flag) string {
	if d, ok := f.(ucli.DocGenerationFlag); ok {
		return d.GetUsage()
	}
	return ""
}

func visible(cmds []*ucli.Command) []*ucli.Command {
	var out []*ucli.Command
	for _, c := range cmds {
		if !c.Hidden {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func commandNames(app *ucli.App) []string {
	var names []string
	for _, c := range visible(app.Commands) {
		names = append(names, c.Name)
	}
	return names
}

func bashCompletion(app *ucli.App) string {
	var b strings.Builder
	name := app.Name
	fn := "_" + strings.ReplaceAll(name, "-", "_")
	cmds := commandNames(app)
	global := append(flagNames(app.Flags), "--help", "--version")
	fmt.Fprintf(&b, "# bash completion for %s (generated from its command tree)\n", name)
	fmt.Fprintf(&b, "%s() {\n", fn)
	b.WriteString("  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= i\n")
	b.WriteString("  for ((i = 1; i < COMP_CWORD; i++)); do\n")
	b.WriteString("    case ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]}; break ;; esac\n")
	b.WriteString("  done\n  case $cmd in\n")
	fmt.Fprintf(&b, "    '') COMPREPLY=($(compgen -W '%s' -- \"$cur\")) ;;\n", strings.Join(append(cmds, global...), " "))
	for _, c := range visible(app.Commands) {
		if c.Name == "help" {
			fmt.Fprintf(&b, "    help) COMPREPLY=($(compgen -W '%s' -- \"$cur\")) ;;\n", strings.Join(cmds, " "))
			continue
		}
		fmt.Fprintf(&b, "    %s)\n      case $prev in\n", c.Name)
		for _, f := range ownFlags(c.Flags) {
			if v := flagChoices(c.Name, f.Names()[0]); v != nil {
				fmt.Fprintf(&b, "        --%s) COMPREPLY=($(compgen -W '%s' -- \"$cur\")); return ;;\n", f.Names()[0], strings.Join(v, " "))
			}
		}
		b.WriteString("      esac\n")
		words := append(flagNames(c.Flags), "--help")
		for _, sc := range visible(c.Subcommands) {
			words = append(words, sc.Name)
		}
		fmt.Fprintf(&b, "      if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W '%s' -- \"$cur\")); else COMPREPLY=($(compgen -f -- \"$cur\")); fi ;;\n",
			strings.Join(words, " "))
	}
	b.WriteString("    *) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n  esac\n}\n")
	fmt.Fprintf(&b, "complete -o filenames -F %s %s\n", fn, name)
	return b.String()
}

// zshCompletion declares each flag with its description and, for a flag
// that takes a value, the values (or files) it takes.
func zshCompletion(app *ucli.App) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#compdef %s\n# zsh completion for %s (generated from its command tree)\n\n", app.Name, app.Name)
	fn := "_" + strings.ReplaceAll(app.Name, "-", "_")
	fmt.Fprintf(&b, "%s() {\n  local -a commands\n  commands=(\n", fn)
	for _, c := range visible(app.Commands) {
		fmt.Fprintf(&b, "    '%s:%s'\n", c.Name, zshQuote(c.Usage))
	}
	b.WriteString("  )\n  if (( CURRENT == 2 )); then\n    _describe -t commands command commands\n    return\n  fi\n")
	b.WriteString("  case ${words[2]} in\n")
	for _, c := range visible(app.Commands) {
		if c.Name == "help" {
			fmt.Fprintf(&b, "    help) _arguments '1:command:(%s)' ;;\n", strings.Join(commandNames(app), " "))
			continue
		}
		fmt.Fprintf(&b, "    %s) _arguments -S '*:file:_files' '(- *)--help[show help]'", c.Name)
		for _, f := range ownFlags(c.Flags) {
			for _, n := range f.Names() {
				spec := dashed(n) + "[" + zshQuote(flagUsage(f)) + "]"
				if takesValue(f) {
					action := "_files"
					if v := flagChoices(c.Name, f.Names()[0]); v != nil {
						action = "(" + strings.Join(v, " ") + ")"
					}
					spec += ":" + n + ":" + action
				}
				fmt.Fprintf(&b, " '%s'", spec)
			}
		}
		b.WriteString(" ;;\n")
	}
	b.WriteString("    *) _files ;;\n  esac\n}\n\n")
	fmt.Fprintf(&b, "%s \"$@\"\n", fn)
	return b.String()
}

// zshQuote makes s safe inside a single-quoted _arguments spec or
// _describe entry.
func zshQuote(s string) string {
	return strings.NewReplacer("'", "'\\''", ":", "\\:", "[", "\\[", "]", "\\]").Replace(s)
}

// fishCompletion offers the commands, help's command names, and each
// command's flags with their values (-x: a value from the list; -r: a file).
func fishCompletion(app *ucli.App) string {
	var b strings.Builder
	name := app.Name
	cmds := strings.Join(commandNames(app), " ")
	fmt.Fprintf(&b, "# fish completion for %s (generated from its command tree)\n", name)
	fmt.Fprintf(&b, "complete -c %s -f -n 'not __fish_seen_subcommand_from %s' -l help -s h -d 'show help'\n", name, cmds)
	fmt.Fprintf(&b, "complete -c %s -f -n 'not __fish_seen_subcommand_from %s' -l version -s v -d 'print the version'\n", name, cmds)
	for _, c := range visible(app.Commands) {
		fmt.Fprintf(&b, "complete -c %s -f -n 'not __fish_seen_subcommand_from %s' -a %s -d %s\n", name, cmds, c.Name, fishQuote(c.Usage))
	}
	for _, c := range visible(app.Commands) {
		cond := fmt.Sprintf("-n '__fish_seen_subcommand_from %s'", c.Name)
		if c.Name == "help" {
			fmt.Fprintf(&b, "complete -c %s -f %s -a %s\n", name, cond, fishQuote(cmds))
			continue
		}
		fmt.Fprintf(&b, "complete -c %s %s -l help -s h -d 'show help'\n", name, cond)
		for _, f := range ownFlags(c.Flags) {
			var spec strings.Builder
			for _, n := range f.Names() {
				if len(n) == 1 {
					fmt.Fprintf(&spec, " -s %s", n)
				} else {
					fmt.Fprintf(&spec, " -l %s", n)
				}
			}
			if takesValue(f) {
				if v := flagChoices(c.Name, f.Names()[0]); v != nil {
					fmt.Fprintf(&spec, " -x -a %s", fishQuote(strings.Join(v, " ")))
				} else {
					spec.WriteString(" -r")
				}
			}
			fmt.Fprintf(&b, "complete -c %s %s%s -d %s\n", name, cond, spec.String(), fishQuote(flagUsage(f)))
		}
	}
	return b.String()
}

func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}
