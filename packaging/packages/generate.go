package packages

import (
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"fmt"
	"os/exec"
	"strings"
)

// generators make the meta.Generated files. runtime-init's come from the
// built runtime-init (runtime-init man, runtime-init completion SHELL), the
// way nfpm's scripts/manpages.sh and completions.sh run the built nfpm: the
// pages follow the binary, and this package never links the CLI.
var generators = map[string]func(g generator) ([]byte, error){
	"man:runtime-init": func(g generator) ([]byte, error) {
		roff, err := g.runtimeInit("man")
		if err != nil {
			return nil, err
		}
		return gzipN(roff)
	},
	"man:faas-runtime": func(generator) ([]byte, error) { return gzipN([]byte(faasRuntimeMan)) },
	"man:faas-runtime-sharedlib": func(generator) ([]byte, error) {
		page := strings.NewReplacer(".TH FAAS-RUNTIME 1", ".TH FAAS-RUNTIME-SHAREDLIB 1",
			"faas-runtime \\- AWS Lambda custom runtime (bootstrap)", "faas-runtime-sharedlib \\- AWS Lambda custom runtime (bootstrap, glibc build with sharedlib mode)",
			".B faas-runtime\n", ".B faas-runtime-sharedlib\n").Replace(faasRuntimeMan)
		return gzipN([]byte(page))
	},
	"bash:runtime-init": func(g generator) ([]byte, error) { return g.runtimeInit("completion", "bash") },
	"zsh:runtime-init":  func(g generator) ([]byte, error) { return g.runtimeInit("completion", "zsh") },
	"fish:runtime-init": func(g generator) ([]byte, error) { return g.runtimeInit("completion", "fish") },
}

// generator runs a runtime-init built for this machine.
type generator struct {
	ctx context.Context
	bin string // path of runtime-init for the host's GOOS/GOARCH
}

func (g generator) runtimeInit(args ...string) ([]byte, error) {
	cmd := exec.CommandContext(g.ctx, g.bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("runtime-init %s: %v: %s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out, nil
}

// generate returns the content of generated file name.
func (g generator) generate(name string) ([]byte, error) {
	gen, ok := generators[name]
	if !ok {
		return nil, fmt.Errorf("no generator %q", name)
	}
	return gen(g)
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
