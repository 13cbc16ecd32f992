package packages

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"sort"
	"strings"

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
	"bash:runtime-init": func() ([]byte, error) { return cli.CompletionScript(cli.App(), "bash") },
	"zsh:runtime-init":  func() ([]byte, error) { return cli.CompletionScript(cli.App(), "zsh") },
	"fish:runtime-init": func() ([]byte, error) { return cli.CompletionScript(cli.App(), "fish") },
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
