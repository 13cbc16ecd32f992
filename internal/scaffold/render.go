package scaffold

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"text/template"

	"github.com/faas-runtime/faas-runtime/images"
	"github.com/faas-runtime/faas-runtime/packaging/pkgversion"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
	"github.com/faas-runtime/faas-runtime/runtime/version"
)

// DefaultRepoURL is the published package repository (rpm/, deb/, alpine/).
const DefaultRepoURL = "https://faas-runtime.github.io/faas-runtime"

// File is one generated file.
type File struct {
	Path string      // slash-separated, relative to the project directory
	Mode fs.FileMode // 0o644, or 0o755 for scripts
	Data []byte
}

// Data is what the templates see.
type Data struct {
	Options
	Images         map[string]string // image references by ARG name
	ImageArgList   string            // their ARG names, for prose
	Platform       string            // linux/amd64
	Stage          string            // final stage name; carries the arch (BuildKit's FromPlatformFlagConstDisallowed)
	LambdaArch     string            // x86_64 or arm64, as Lambda spells it
	RPMArch        string            // x86_64 or aarch64, as rpm and apk spell it
	RustTarget     string            // musl target for the arch (glibc in sharedlib mode)
	RustLinkerEnv  string            // cargo's linker variable for RustTarget
	RustCrate      string            // sharedlib: the crate's library name (lib<RustCrate>.so)
	Handler        string            // the command's program, under /var/task
	CommandJSON    string            // the image's CMD as a JSON array
	Port           int               // http mode: the web app's port (AWS_LWA_PORT)
	RuntimeVersion string            // empty: the newest in the repository
	ExampleVersion string            // RuntimeVersion, or a placeholder, for file names in comments
	RepoURL        string
	Package        string    // the package and binary: faas-runtime, or faas-runtime-sharedlib
	KeyFiles       []KeyFile // the repository's public keys in keys/
	KeyOrigin      string    // where they came from
	APKKeyName     string    // alpine: the apk key's file name (NAME.rsa.pub)
	// QEMU names the build steps that run arm64 programs, which a builder
	// of another architecture runs only under QEMU user emulation; empty
	// when none do (amd64, or every such step runs on $BUILDPLATFORM).
	QEMU string
}

func newData(o Options, keys []KeyFile) *Data {
	d := &Data{
		Options: o, Images: ImagesFor(o),
		Platform: "linux/" + o.Arch, Stage: "lambda-" + o.Arch,
		LambdaArch: "x86_64", RPMArch: "x86_64", RustTarget: "x86_64-unknown-linux-musl",
		Handler: "/var/task/handler", Port: 8080,
		RuntimeVersion: o.RuntimeVersion, RepoURL: o.RepoURL,
		Package: "faas-runtime", KeyFiles: keys,
	}
	if o.Keys != nil {
		d.KeyOrigin = o.Keys.Origin
		if o.Keys.APK != nil {
			d.APKKeyName = o.Keys.APK.Name
		}
	}
	if o.Arch == "arm64" {
		d.LambdaArch, d.RPMArch, d.RustTarget = "arm64", "aarch64", "aarch64-unknown-linux-musl"
	}
	var names []string
	for _, arg := range sortedKeys(d.Images) {
		names = append(names, "`"+arg+"`")
	}
	d.ImageArgList = strings.Join(names, ", ")
	d.RustLinkerEnv = "CARGO_TARGET_" + strings.ToUpper(strings.ReplaceAll(d.RustTarget, "-", "_")) + "_LINKER"
	if o.Lang == "script" {
		d.Handler = "/var/task/handler.sh"
	}
	if o.Mode == string(modes.Sharedlib) {
		// faas-runtime-sharedlib loads the library CMD names.
		d.Handler = "/var/task/" + o.Name + ".so"
		d.RustTarget = "x86_64-unknown-linux-gnu"
		if o.Arch == "arm64" {
			d.RustTarget = "aarch64-unknown-linux-gnu"
		}
		d.RustCrate = strings.ReplaceAll(o.Name, "-", "_")
		d.Package = "faas-runtime-sharedlib" // glibc, for purego
	}
	d.QEMU = emulatedSteps(o)
	cmd, _ := json.Marshal([]string{d.Handler})
	d.CommandJSON = string(cmd)
	switch {
	case d.RuntimeVersion == "":
		d.RuntimeVersion = pinVersion(o.Base, version.Version) // "" (the newest) for dev builds
	case pinVersion(o.Base, d.RuntimeVersion) != "":
		d.RuntimeVersion = pinVersion(o.Base, d.RuntimeVersion)
	}
	d.ExampleVersion = d.RuntimeVersion
	if d.ExampleVersion == "" {
		d.ExampleVersion = "VERSION"
	}
	if d.RepoURL == "" {
		d.RepoURL = DefaultRepoURL
	}
	d.RepoURL = strings.TrimRight(d.RepoURL, "/")
	return d
}

// installerFormat is the package format each base's install line reads.
var installerFormat = map[string]string{"ubi-minimal": "rpm", "ubi-micro": "rpm", "alpine": "apk", "distroless": "deb"}

// pinVersion spells v (a release, or a build between tags such as
// 0.1.1-pre.3) the way base's package manager does, so that the install
// line finds the package: rpm and deb 0.1.1~pre.3, apk 0.1.1_pre3. It is ""
// when v is no package's version ("dev", or what the format cannot spell).
func pinVersion(base, v string) string {
	pv, err := pkgversion.Parse(v)
	if err != nil {
		return ""
	}
	pin, err := pv.Pin(installerFormat[base])
	if err != nil {
		return ""
	}
	return pin
}

// DockerfileTemplate is the template for a base; the mode's differences
// are blocks inside it.
func DockerfileTemplate(base string) string {
	return "dockerfile/" + base + ".Dockerfile.tmpl"
}

// dockerfileShared holds the defines every base's template may call.
const dockerfileShared = "dockerfile/shared.tmpl"

// projectDirs are the template directories that make up a project, in
// order; a later one may not repeat an earlier one's file.
func projectDirs(o Options) []string {
	return []string{
		"project/common",
		"project/mode/" + o.Mode,
		"project/lang/" + o.Lang + "/any",
		"project/lang/" + o.Lang + "/" + o.Mode,
	}
}

// Render validates o and returns the project's files, sorted by path.
func Render(o Options) ([]File, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	keys, err := keyFiles(o)
	if err != nil {
		return nil, err
	}
	d := newData(o, keys)
	for arg := range o.Images {
		if _, used := d.Images[arg]; !used {
			return nil, fmt.Errorf("--image %s: this project's Dockerfile has no %s (it names %s)", arg, arg, strings.Join(sortedKeys(d.Images), ", "))
		}
	}
	df, err := execute(DockerfileTemplate(o.Base), d, dockerfileShared)
	if err != nil {
		return nil, err
	}
	files := []File{{Path: "Dockerfile", Mode: 0o644, Data: df}}
	seen := map[string]bool{"Dockerfile": true}
	for _, k := range keys {
		files = append(files, File{Path: k.Path, Mode: 0o644, Data: k.data})
		seen[k.Path] = true
	}
	headers, err := headerFiles(o)
	if err != nil {
		return nil, err
	}
	for _, h := range headers {
		files = append(files, h)
		seen[h.Path] = true
	}
	for _, dir := range projectDirs(o) {
		err := fs.WalkDir(images.FS, dir, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			rel := strings.TrimSuffix(strings.TrimPrefix(p, dir+"/"), ".tmpl")
			if seen[rel] {
				return fmt.Errorf("template %s: %s is already generated by another template", p, rel)
			}
			seen[rel] = true
			data, err := execute(p, d)
			if err != nil {
				return err
			}
			mode := fs.FileMode(0o644)
			if path.Ext(rel) == ".sh" {
				mode = 0o755
			}
			files = append(files, File{Path: rel, Mode: mode, Data: data})
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

// execute runs the template name, with the defines of the templates in
// with available to it.
func execute(name string, d *Data, with ...string) ([]byte, error) {
	t := template.New(name).Option("missingkey=error")
	for i, n := range append([]string{name}, with...) {
		src, err := fs.ReadFile(images.FS, n)
		if err != nil {
			return nil, fmt.Errorf("no template %s: %w", n, err)
		}
		part := t
		if i > 0 {
			part = t.New(n)
		}
		if _, err := part.Parse(string(src)); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// emulatedSteps lists the RUN steps of an arm64 project that execute in
// an arm64 stage: the package managers of alpine, ubi-minimal and al2023 install
// into the final image itself, and a shared library is compiled against
// the target's glibc. Go and Rust static builds, distroless's apt stage and
// ubi-micro's dnf --installroot run on the build machine's platform.
func emulatedSteps(o Options) string {
	if o.Arch != "arm64" {
		return ""
	}
	var steps []string
	switch o.Base {
	case "alpine":
		steps = append(steps, "the final stage's apk add")
	case "ubi-minimal", "al2023":
		steps = append(steps, "the final stage's microdnf install")
	}
	if o.Mode == string(modes.Sharedlib) && (o.Lang == "c" || o.Lang == "rust") {
		steps = append(steps, "the shared library's build stage (build-arm64, compiled against the target's glibc)")
	}
	return strings.Join(steps, " and ")
}
