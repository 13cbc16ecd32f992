package build

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/faas-runtime/faas-runtime/internal/cli"
)

// generators make the meta.Generated files. They read runtime-init's
// command tree directly, so completions and the man page follow the CLI.
var generators = map[string]func() ([]byte, error){
	"man:runtime-init": manPage,
	"man:faas-runtime": func() ([]byte, error) { return gzipN([]byte(faasRuntimeMan)) },
	"man:faas-runtime-sharedlib": func() ([]byte, error) {
		page := strings.NewReplacer(".TH FAAS-RUNTIME 1", ".TH FAAS-RUNTIME-SHAREDLIB 1",
			"faas-runtime \\- AWS Lambda custom runtime (bootstrap)", "faas-runtime-sharedlib \\- AWS Lambda custom runtime (bootstrap, glibc build with sharedlib mode)",
			".B faas-runtime\n", ".B faas-runtime-sharedlib\n").Replace(faasRuntimeMan)
		return gzipN([]byte(page))
	},
	"bash:runtime-init": func() ([]byte, error) { return []byte(bashCompletion(cli.App())), nil },
	"zsh:runtime-init":  func() ([]byte, error) { return []byte(zshCompletion(cli.App())), nil },
	"fish:runtime-init": func() ([]byte, error) {
		s, err := cli.App().ToFishCompletion()
		return []byte(s), err
	},
}

// GeneratorNames lists the generators, sorted.
func GeneratorNames() []string {
	var out []string
	for n := range generators {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// GeneratedFileName is the file name `faas-pkg gen` writes generator
// name's output to (man:runtime-init -> man_runtime-init).
func GeneratedFileName(name string) string { return strings.ReplaceAll(name, ":", "_") }

// Generate returns the content of generated file name.
func Generate(name string) ([]byte, error) {
	g, ok := generators[name]
	if !ok {
		return nil, fmt.Errorf("no generator %q", name)
	}
	return g()
}

func manPage() ([]byte, error) {
	app := cli.App()
	app.Description = "runtime-init scaffolds AWS Lambda image projects for faas-runtime, " +
		"builds and inspects images without a Docker daemon, and runs functions locally " +
		"through a Runtime API emulator."
	roff, err := app.ToManWithSection(1)
	if err != nil {
		return nil, err
	}
	return gzipN([]byte(roff))
}

// faasRuntimeMan is hand-written: the bootstrap has no urfave/cli app to
// generate it from.
//
//go:embed man/faas-runtime.1
var faasRuntimeMan string

// gzipN compresses like gzip -n: no name or time in the header, so the
// bytes are reproducible.
func gzipN(roff []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(roff); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
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
