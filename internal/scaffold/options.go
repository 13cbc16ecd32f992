// Package scaffold writes a deployable Lambda image project: a multi-stage
// Dockerfile that installs faas-runtime onto the chosen base, a function in
// the chosen language and mode, and the files to build, test and deploy it.
// The text of every file comes from the templates in package images.
package scaffold

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/faas-runtime/faas-runtime/internal/scaffold/trust"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
)

// The choices the command offers, in the order shown to users; the first of
// each is not necessarily the default (see Defaults).
var (
	Bases  = []string{"ubi-minimal", "ubi-micro", "al2023", "alpine", "distroless"}
	Arches = []string{"amd64", "arm64"}
	// Modes are the faas-runtime modes a project can be scaffolded for. A new
	// mode needs its blocks in the Dockerfile template of each base it
	// supports (images/dockerfile/<base>.Dockerfile.tmpl), its function
	// templates (images/project/lang/<lang>/<mode>/), and a rule below for
	// the bases or languages it cannot serve.
	Modes = modes.Strings()
	Langs = []string{"go", "rust", "script", "prebuilt", "c"}
)

// Defaults are used for missing flags when nobody can be asked.
var Defaults = Options{Base: "distroless", Arch: "amd64", Mode: string(modes.Exec), Lang: "go"}

// Options is one scaffold request.
type Options struct {
	Name  string // function name: ECR repository, Lambda function, image name
	Base  string
	Arch  string
	Mode  string
	Lang  string
	Debug bool // debug variant of the base (a shell, tools)
	// SnapStart: the image carries Lambda's SnapStart label and the
	// README says how to wire the mode's hooks and what a snapshot shares.
	SnapStart bool

	// Images overrides image references by their Dockerfile ARG name
	// (BASE_IMAGE, GOLANG_IMAGE, ...), for mirrors and air-gapped registries.
	Images map[string]string
	// RuntimeVersion is the faas-runtime version the Dockerfile installs by
	// default; RepoURL the package repository it installs from.
	RuntimeVersion string
	RepoURL        string
	// Keys are the repository's public keys, pinned in the project's keys/
	// and copied by the Dockerfile: Render needs the one the base's
	// installer verifies with (see KeysNeeded).
	Keys *trust.Keys
}

// rule is a combination that cannot work, with the reason users see.
type rule struct {
	applies func(o Options) bool
	reason  string
}

// rules are checked after each value is known to be valid on its own.
var rules = []rule{
	// sharedlib mode loads the function into faas-runtime-sharedlib, which
	// is linked against glibc (purego): musl bases cannot run it.
	{
		applies: func(o Options) bool { return o.Mode == string(modes.Sharedlib) && o.Base == "al2023" },
		reason:  "--mode sharedlib is not scaffolded for al2023: use --base ubi-minimal or ubi-micro (glibc 2.34, as Amazon Linux 2023) or distroless, or --mode exec or http on al2023",
	},
	{
		applies: func(o Options) bool {
			return o.Mode == string(modes.Sharedlib) && !slices.Contains(SharedlibBases, o.Base)
		},
		reason: "--mode sharedlib needs a glibc base and " + basePlaceholder + " has none (musl): faas-runtime-sharedlib and the function library link against glibc. " +
			"Use --base " + strings.Join(SharedlibBases, ", ") + " (distroless means distroless cc, gcr.io/distroless/cc-debian12, not static), or --mode exec or http on " + basePlaceholder,
	},
	{
		applies: func(o Options) bool { return o.Mode == string(modes.Sharedlib) && o.Lang == "go" },
		reason:  "--mode sharedlib cannot host Go: a Go c-shared library would put a second Go runtime into faas-runtime's process, which is not supported. Use --mode exec or http for Go, or --lang c, rust or prebuilt (a C-ABI .so) for sharedlib",
	},
	{
		applies: func(o Options) bool { return o.Mode == string(modes.Sharedlib) && o.Lang == "script" },
		reason:  "--mode sharedlib loads a shared library and a script is not one: use --lang c, rust or prebuilt (a C-ABI .so), or --mode exec for a script",
	},
	{
		applies: func(o Options) bool { return o.Lang == "script" && o.Base == "distroless" },
		reason:  "--lang script needs a shell and distroless has none: choose --base alpine, ubi-minimal, ubi-micro or al2023, or --lang go, rust or prebuilt",
	},
	{
		applies: func(o Options) bool { return o.Lang == "script" && o.Mode == string(modes.HTTP) },
		reason:  "--lang script cannot serve HTTP: use --mode exec, or --lang go, rust or prebuilt for a web server",
	},
	{
		applies: func(o Options) bool { return o.Lang == "c" && o.Mode != string(modes.Sharedlib) },
		reason:  "--lang c is scaffolded for --mode sharedlib only (a C-ABI .so loaded in-process): use --mode sharedlib, or --lang prebuilt with your compiled program for exec or http",
	},
}

// SharedlibBases are the glibc bases --mode sharedlib runs on. For
// distroless the final image is then distroless cc (glibc), not static.
var SharedlibBases = []string{"ubi-minimal", "ubi-micro", "distroless"}

// basePlaceholder in a rule's reason is replaced by the chosen base.
const basePlaceholder = "{base}"

// nameRE: lower case so one name serves as ECR repository (lower case only),
// Lambda function, image and crate name; at most 64 like a Lambda function.
var nameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,63}$`)

// ValidateName checks a function name.
func ValidateName(name string) error {
	if !nameRE.MatchString(name) || strings.HasSuffix(name, "-") || strings.Contains(name, "--") {
		return fmt.Errorf("invalid --name %q: use 1 to 64 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen", name)
	}
	return nil
}

// NameFromDir derives a valid function name from a directory name, or
// returns "function" when nothing usable is left.
func NameFromDir(dir string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(dir) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	name := strings.TrimLeft(strings.Trim(b.String(), "-"), "0123456789-")
	if len(name) > 64 {
		name = strings.TrimRight(name[:64], "-")
	}
	if ValidateName(name) != nil {
		return "function"
	}
	return name
}

// ChoiceError is an unknown value for a flag; it lists the valid ones.
type ChoiceError struct {
	Flag, Value string
	Valid       []string
}

func (e *ChoiceError) Error() string {
	return fmt.Sprintf("unknown --%s %q: valid values are %s", e.Flag, e.Value, strings.Join(e.Valid, ", "))
}

// Validate checks every option and returns the first problem: an unknown
// value (a *ChoiceError), a bad name, or a combination that cannot work.
func (o Options) Validate() error {
	for _, c := range []struct {
		flag, value string
		valid       []string
	}{
		{"base", o.Base, Bases}, {"arch", o.Arch, Arches}, {"mode", o.Mode, Modes}, {"lang", o.Lang, Langs},
	} {
		if !slices.Contains(c.valid, c.value) {
			return &ChoiceError{Flag: c.flag, Value: c.value, Valid: c.valid}
		}
	}
	if err := ValidateName(o.Name); err != nil {
		return err
	}
	for _, r := range rules {
		if r.applies(o) {
			return fmt.Errorf("%s", strings.ReplaceAll(r.reason, basePlaceholder, o.Base))
		}
	}
	for arg, ref := range o.Images {
		if !slices.Contains(imageArgs, arg) {
			return &ChoiceError{Flag: "image", Value: arg, Valid: imageArgs}
		}
		if strings.TrimSpace(ref) == "" || strings.ContainsAny(ref, " \t\n\"'$\\") {
			return fmt.Errorf("invalid --image %s=%q: want an image reference such as registry.example.com/name:tag", arg, ref)
		}
		// The one override that is sure to fail at run time: a static
		// distroless base has no glibc for faas-runtime-sharedlib.
		if arg == "BASE_IMAGE" && o.Mode == string(modes.Sharedlib) && strings.Contains(ref, "distroless/static") {
			return fmt.Errorf("--image BASE_IMAGE=%s: --mode sharedlib needs glibc and distroless static has none; use gcr.io/distroless/cc-debian12 (or base-debian12)", ref)
		}
	}
	return nil
}
