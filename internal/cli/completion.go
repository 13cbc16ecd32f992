package cli

import (
	"fmt"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"
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
// its command tree, so it follows the CLI.
func CompletionScript(app *ucli.App, shell string) ([]byte, error) {
	switch shell {
	case "bash":
		return []byte(bashCompletion(app)), nil
	case "zsh":
		return []byte(zshCompletion(app)), nil
	case "fish":
		s, err := app.ToFishCompletion()
		return []byte(s), err
	}
	return nil, fmt.Errorf("no completion for shell %q (want %s)", shell, strings.Join(completionShells, ", "))
}

func flagNames(flags []ucli.Flag) []string {
	var out []string
	for _, f := range flags {
		for _, n := range f.Names() {
			if len(n) == 1 {
				out = append(out, "-"+n)
			} else {
				out = append(out, "--"+n)
			}
		}
	}
	return out
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

// bashCompletion is a static completion script: urfave/cli's dynamic
// completion needs EnableBashCompletion in the app and a shell round trip
// per key press; the command tree is known at package build time.
func bashCompletion(app *ucli.App) string {
	var b strings.Builder
	name := app.Name
	fn := "_" + strings.ReplaceAll(name, "-", "_")
	var cmds []string
	for _, c := range visible(app.Commands) {
		cmds = append(cmds, c.Name)
	}
	global := append(flagNames(app.Flags), "--help", "--version")
	fmt.Fprintf(&b, "# bash completion for %s (generated from its command tree)\n", name)
	fmt.Fprintf(&b, "%s() {\n", fn)
	b.WriteString("  local cur=${COMP_WORDS[COMP_CWORD]} cmd= i\n")
	b.WriteString("  for ((i = 1; i < COMP_CWORD; i++)); do\n")
	b.WriteString("    case ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]}; break ;; esac\n")
	b.WriteString("  done\n  case $cmd in\n")
	fmt.Fprintf(&b, "    '') COMPREPLY=($(compgen -W '%s' -- \"$cur\")) ;;\n", strings.Join(append(cmds, global...), " "))
	for _, c := range visible(app.Commands) {
		words := append(flagNames(c.Flags), "--help")
		for _, sc := range visible(c.Subcommands) {
			words = append(words, sc.Name)
		}
		fmt.Fprintf(&b, "    %s) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W '%s' -- \"$cur\")); else COMPREPLY=($(compgen -f -- \"$cur\")); fi ;;\n",
			c.Name, strings.Join(words, " "))
	}
	b.WriteString("    *) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n  esac\n}\n")
	fmt.Fprintf(&b, "complete -o filenames -F %s %s\n", fn, name)
	return b.String()
}

// zshCompletion completes commands with their descriptions and each
// command's flags; like bashCompletion it is generated, not dynamic.
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
		fmt.Fprintf(&b, "    %s) _arguments '*:file:_files'", c.Name)
		for _, f := range flagNames(c.Flags) {
			fmt.Fprintf(&b, " '%s'", f)
		}
		b.WriteString(" ;;\n")
	}
	b.WriteString("    *) _files ;;\n  esac\n}\n\n")
	fmt.Fprintf(&b, "%s \"$@\"\n", fn)
	return b.String()
}

func zshQuote(s string) string {
	return strings.NewReplacer("'", "'\\''", ":", "\\:").Replace(s)
}
