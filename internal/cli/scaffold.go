package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/faas-runtime/faas-runtime/internal/scaffold"
	"github.com/faas-runtime/faas-runtime/internal/scaffold/trust"
)

// pinTimeout bounds --pin's registry lookups, so that an unreachable
// registry fails in seconds rather than hanging a CI job.
const pinTimeout = 30 * time.Second

func scaffoldCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "scaffold",
		Usage:     "write a deployable Lambda image project (Dockerfile, function, build.sh, SAM and Terraform)",
		ArgsUsage: "[DIR]",
		Description: "Writes into DIR (default: the current directory). Flags that are not given are asked for\n" +
			"when stdin is a terminal, and otherwise take their defaults, which are printed.\n" +
			"Existing files are never overwritten without --force.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "base", Usage: "final image base: " + strings.Join(scaffold.Bases, " | ") + " (default " + scaffold.Defaults.Base + ")"},
			&ucli.StringFlag{Name: "arch", Usage: "image architecture: " + strings.Join(scaffold.Arches, " | ") + " (default " + scaffold.Defaults.Arch + ")"},
			&ucli.StringFlag{Name: "mode", Usage: "faas-runtime mode: " + strings.Join(scaffold.Modes, " | ") + " (default " + scaffold.Defaults.Mode + ")"},
			&ucli.StringFlag{Name: "lang", Usage: "function language: " + strings.Join(scaffold.Langs, " | ") + " (default " + scaffold.Defaults.Lang + ")"},
			&ucli.StringFlag{Name: "name", Usage: "function `NAME` (ECR repository, Lambda function; default: from DIR)"},
			&ucli.BoolFlag{Name: "debug", Usage: "use the base's debug variant (a shell, tools); not for production"},
			&ucli.BoolFlag{Name: "snapstart", Usage: "for Lambda SnapStart: the image's SnapStart label, and a README section on the hooks and on what a snapshot shares"},
			&ucli.BoolFlag{Name: "pin", Usage: "resolve every image tag to its digest (needs the registries)"},
			&ucli.StringSliceFlag{Name: "image", Usage: "override an image reference, `ARG=REF` (ARG: " + strings.Join(scaffold.ImageArgs(), ", ") + ")"},
			&ucli.StringSliceFlag{Name: "repo-key", EnvVars: []string{"FAAS_REPO_KEY"}, Usage: "the package repository's public key, pinned in the project's keys/: an OpenPGP key (rpm, apt) or an RSA key named NAME.rsa.pub (apk); repeatable, or comma-separated in FAAS_REPO_KEY (default: the release keys built in)", TakesFile: true},
			&ucli.StringFlag{Name: "repo-url", EnvVars: []string{"FAAS_REPO_URL"}, Usage: "a self-hosted or mirrored package repository `URL`: the Dockerfile's FAAS_REPO_URL, and, without --repo-key, where its public key is fetched once (its fingerprint is printed)"},
			&ucli.BoolFlag{Name: "force", Usage: "overwrite existing files"},
			&ucli.BoolFlag{Name: "dry-run", Usage: "print the files and their contents; write nothing"},
		},
		Action: runScaffold,
	}
}

func runScaffold(c *ucli.Context) error {
	// Flags may follow DIR: runtime-init scaffold hello --lang go.
	pos, err := positionalArgs(c)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return Usagef("scaffold takes one directory, got %d arguments: %s", len(pos), strings.Join(pos, " "))
	}
	dir := "."
	if len(pos) == 1 {
		dir = pos[0]
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return Usagef("scaffold: %s is a file, not a directory: name a new or existing directory", dir)
	}
	opts := scaffold.Options{Debug: c.Bool("debug"), SnapStart: c.Bool("snapstart")}
	if opts.Images, err = parseImageFlags(c.StringSlice("image")); err != nil {
		return err
	}

	var ask *scaffold.Prompter
	if isTerminal(c.App.Reader) {
		ask = scaffold.NewPrompter(c.App.Reader, c.App.ErrWriter)
	}
	// Without release keys built in, the repository comes first: asking
	// five questions and then refusing for want of a key wastes them.
	repoURL := c.String("repo-url")
	if ask != nil && repoURL == "" && len(c.StringSlice("repo-key")) == 0 && !trust.HasRelease() {
		if repoURL, err = ask.Text("--repo-url (no faas-runtime release keys are built into this runtime-init yet: "+
			"the package repository whose key to pin, e.g. where you serve dist/repo)", "", func(s string) error {
			_, err := trust.CheckURL(s)
			return err
		}); err != nil {
			return err
		}
	}
	var defaulted []string
	for _, f := range []struct {
		flag    string
		choices []string
		def     string
		dst     *string
	}{
		{"base", scaffold.Bases, scaffold.Defaults.Base, &opts.Base},
		{"arch", scaffold.Arches, scaffold.Defaults.Arch, &opts.Arch},
		{"mode", scaffold.Modes, scaffold.Defaults.Mode, &opts.Mode},
		{"lang", scaffold.Langs, scaffold.Defaults.Lang, &opts.Lang},
	} {
		switch {
		case c.IsSet(f.flag):
			*f.dst = c.String(f.flag)
		case ask != nil:
			if *f.dst, err = ask.Choose("--"+f.flag, f.choices, f.def); err != nil {
				return err
			}
		default:
			*f.dst = f.def
			defaulted = append(defaulted, "--"+f.flag+" "+f.def)
		}
	}
	defName := scaffold.NameFromDir(filepath.Base(abs))
	switch {
	case c.IsSet("name"):
		opts.Name = c.String("name")
	case ask != nil:
		if opts.Name, err = ask.Text("--name", defName, scaffold.ValidateName); err != nil {
			return err
		}
	default:
		opts.Name = defName
		defaulted = append(defaulted, "--name "+defName)
	}
	if len(defaulted) > 0 {
		fmt.Fprintf(c.App.ErrWriter, "runtime-init scaffold: using defaults %s\n", strings.Join(defaulted, " "))
	}

	// Bad flags and impossible combinations are usage errors (exit 2).
	if err := opts.Validate(); err != nil {
		return Usagef("%v", err)
	}
	if err := repoKeys(c, &opts, repoURL); err != nil {
		return err
	}
	files, err := scaffold.Render(opts)
	if err != nil {
		return Usagef("%v", err)
	}
	if c.Bool("pin") {
		ctx, cancel := context.WithTimeout(c.Context, pinTimeout)
		defer cancel()
		pinned, err := scaffold.Pin(ctx, scaffold.ImagesFor(opts))
		if err != nil {
			return fmt.Errorf("%w; nothing was written", err)
		}
		opts.Images = pinned
		if files, err = scaffold.Render(opts); err != nil {
			return err
		}
	}
	if c.Bool("dry-run") {
		printKeys(c.App.ErrWriter, opts)
		return scaffold.Print(c.App.Writer, dir, files)
	}
	if err := scaffold.Write(dir, files, c.Bool("force")); err != nil {
		var ce *scaffold.ConflictError
		if errors.As(err, &ce) {
			return ucli.Exit(ce.Error(), ExitFailure) // main adds "runtime-init: "
		}
		return err
	}
	fmt.Fprintf(c.App.Writer, "wrote %d files to %s (%s, %s, %s mode, %s):\n", len(files), dir, opts.Base, opts.Arch, opts.Mode, opts.Lang)
	for _, f := range files {
		fmt.Fprintf(c.App.Writer, "  %s\n", f.Path)
	}
	printKeys(c.App.Writer, opts)
	fmt.Fprintf(c.App.Writer, "next: cd %s && ./build.sh --local, then ./build.sh to push and deploy with SAM or Terraform (README.md: Build, Deploy)\n", dir)
	return nil
}

// parseImageFlags turns --image ARG=REF flags into a map.
func parseImageFlags(flags []string) (map[string]string, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	m := map[string]string{}
	for _, f := range flags {
		arg, ref, ok := strings.Cut(f, "=")
		if !ok {
			return nil, Usagef("--image %q: want ARG=REF, e.g. BASE_IMAGE=registry.example.com/ubi9/ubi-minimal:9.6", f)
		}
		m[arg] = ref
	}
	return m, nil
}

// isTerminal reports whether r is a terminal: prompts only then, so that CI
// and scripts never wait for an answer.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
