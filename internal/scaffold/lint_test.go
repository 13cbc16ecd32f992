package scaffold

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	digest "github.com/opencontainers/go-digest"

	"github.com/faas-runtime/faas-runtime/images"
)

// offlineImages answers BuildKit's image-config lookups during lint with a
// minimal config for the platform asked for. It stands in for the
// registries, which this machine cannot reach; lint only needs the
// platform and an environment from the config.
type offlineImages struct{}

func (offlineImages) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	arch := "amd64"
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		arch = opt.ImageOpt.Platform.Architecture
	}
	cfg := fmt.Sprintf(`{"architecture":%q,"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%x"]},`+
		`"config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}}`, arch, sha256.Sum256([]byte(ref)))
	return ref, digest.FromString(cfg), []byte(cfg), nil
}

// lint runs BuildKit's own Dockerfile checks (the rules `docker build
// --check` applies, experimental ones included) and returns every warning
// and error as text.
func lint(t *testing.T, dockerfile []byte) []string {
	t.Helper()
	dt := append([]byte("# check=experimental=all\n"), dockerfile...)
	sm := llb.NewSourceMap(nil, "Dockerfile", "Dockerfile", dt)
	sm.Definition = &llb.Definition{}
	res, err := dockerfile2llb.DockerfileLint(context.Background(), dt, dockerfile2llb.ConvertOpt{
		SourceMap: sm, MetaResolver: offlineImages{},
	})
	if err != nil {
		t.Fatalf("lint: %v", err)
	}
	var out []string
	for _, w := range res.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line) - 1 // minus the check directive
		}
		out = append(out, fmt.Sprintf("line %d: %s: %s", line, w.RuleName, w.Detail))
	}
	if res.Error != nil {
		out = append(out, "error: "+res.Error.Message)
	}
	return out
}

// TestDockerfilesParseAndLint: every combination parses with BuildKit's
// parser without warnings and passes its lint rules.
func TestDockerfilesParseAndLint(t *testing.T) {
	for _, o := range testCases() {
		df := render(t, o)["Dockerfile"].Data
		res, err := parser.Parse(bytes.NewReader(df))
		if err != nil {
			t.Errorf("%s: parse: %v", caseName(o), err)
			continue
		}
		for _, w := range res.Warnings {
			t.Errorf("%s: parser warning: %s", caseName(o), w.Short)
		}
		for _, w := range lint(t, df) {
			t.Errorf("%s: %s", caseName(o), w)
		}
	}
}

// The lint harness itself must catch problems, or a clean result means
// nothing.
func TestLintCatchesProblems(t *testing.T) {
	bad := []byte("FROM --platform=linux/arm64 alpine as Build\nENV a b\nCMD echo hi\n")
	got := strings.Join(lint(t, bad), "\n")
	for _, rule := range []string{"FromAsCasing", "StageNameCasing", "LegacyKeyValueFormat", "JSONArgsRecommended", "FromPlatformFlagConstDisallowed"} {
		if !strings.Contains(got, rule) {
			t.Errorf("lint did not report %s; got:\n%s", rule, got)
		}
	}
}

// dockerfileFacts is what the structure checks read from a Dockerfile.
type dockerfileFacts struct {
	stages   []instructions.Stage
	metaArgs map[string]string
}

func parseDockerfile(t *testing.T, df []byte) dockerfileFacts {
	t.Helper()
	res, err := parser.Parse(bytes.NewReader(df))
	if err != nil {
		t.Fatal(err)
	}
	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := dockerfileFacts{stages: stages, metaArgs: map[string]string{}}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			f.metaArgs[kv.Key] = kv.ValueString()
		}
	}
	return f
}

// TestDockerfileStructure checks what the issue asks of every image: the
// final stage on the chosen platform, non-root, the runtime as entrypoint,
// /var/task, the function copied last, image references as ARGs.
func TestDockerfileStructure(t *testing.T) {
	for _, o := range testCases() {
		name := caseName(o)
		f := parseDockerfile(t, render(t, o)["Dockerfile"].Data)
		final := f.stages[len(f.stages)-1]
		if final.Name != "lambda-"+o.Arch {
			t.Errorf("%s: final stage %q, want lambda-%s", name, final.Name, o.Arch)
		}
		// The final stage's platform is fixed to --arch (directly, or via
		// the stage it starts from).
		platform := final.Platform
		for _, s := range f.stages {
			if s.Name == final.BaseName {
				platform = s.Platform
			}
		}
		if platform != "linux/"+o.Arch {
			t.Errorf("%s: final stage platform %q, want linux/%s", name, platform, o.Arch)
		}
		for arg, ref := range ImagesFor(o) {
			if f.metaArgs[arg] != ref {
				t.Errorf("%s: ARG %s=%q, want %q", name, arg, f.metaArgs[arg], ref)
			}
		}
		for _, arg := range []string{"FAAS_REPO_URL", "FAAS_RUNTIME_VERSION", "FAAS_RUNTIME_PACKAGE"} {
			if _, ok := f.metaArgs[arg]; !ok {
				t.Errorf("%s: no ARG %s", name, arg)
			}
		}
		var user, workdir, entrypoint, cmd, faasMode string
		var lastCopyDest string
		for _, c := range final.Commands {
			switch c := c.(type) {
			case *instructions.UserCommand:
				user = c.User
			case *instructions.WorkdirCommand:
				workdir = c.Path
			case *instructions.EntrypointCommand:
				if !c.PrependShell {
					entrypoint = strings.Join(c.CmdLine, " ")
				}
			case *instructions.CmdCommand:
				if !c.PrependShell {
					cmd = strings.Join(c.CmdLine, " ")
				}
			case *instructions.CopyCommand:
				lastCopyDest = c.DestPath
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					if kv.Key == "FAAS_MODE" {
						faasMode = kv.Value
					}
				}
				if lastCopyDest == "/var/task/" || strings.HasPrefix(lastCopyDest, "/var/task/") {
					t.Errorf("%s: %s after the function layer", name, c.Name())
				}
			case *instructions.RunCommand:
				if lastCopyDest == "/var/task/" || strings.HasPrefix(lastCopyDest, "/var/task/") {
					t.Errorf("%s: %s after the function layer", name, c.Name())
				}
			}
		}
		if user != "65532:65532" {
			t.Errorf("%s: USER %q, want 65532:65532", name, user)
		}
		if workdir != "/var/task" {
			t.Errorf("%s: WORKDIR %q", name, workdir)
		}
		// sharedlib mode needs the glibc build of the runtime.
		wantEntry := "/usr/bin/faas-runtime"
		if o.Mode == "sharedlib" {
			wantEntry = "/usr/bin/faas-runtime-sharedlib"
		}
		if entrypoint != wantEntry {
			t.Errorf("%s: ENTRYPOINT %q (exec form), want %s", name, entrypoint, wantEntry)
		}
		if faasMode != o.Mode {
			t.Errorf("%s: FAAS_MODE=%q, want %s", name, faasMode, o.Mode)
		}
		if o.Mode == "sharedlib" {
			// No musl and no static base anywhere in a sharedlib image:
			// the runtime and the library are glibc-linked.
			df := string(render(t, o)["Dockerfile"].Data)
			for _, bad := range []string{"linux-musl", "rustup target add", "distroless/static"} {
				if strings.Contains(df, bad) {
					t.Errorf("%s: sharedlib Dockerfile mentions %s", name, bad)
				}
			}
			if o.Base == "distroless" && !strings.HasPrefix(f.metaArgs["BASE_IMAGE"], "gcr.io/distroless/cc-debian12:") {
				t.Errorf("%s: BASE_IMAGE %q, want distroless cc", name, f.metaArgs["BASE_IMAGE"])
			}
			// The function is built in a stage of its own for the target
			// platform (the glibc it links against), not in the final one.
			if o.Lang != "prebuilt" {
				var build *instructions.Stage
				for i := range f.stages {
					if f.stages[i].Name == "build-"+o.Arch {
						build = &f.stages[i]
					}
				}
				if build == nil || build.Platform != "linux/"+o.Arch {
					t.Errorf("%s: no build-%s stage on linux/%s", name, o.Arch, o.Arch)
				}
			}
		}
		if want := newData(o, nil).Handler; cmd != want {
			t.Errorf("%s: CMD %q, want %q", name, cmd, want)
		}
		if !strings.HasPrefix(lastCopyDest, "/var/task/") {
			t.Errorf("%s: the last COPY goes to %q, want the function into /var/task/", name, lastCopyDest)
		}
		// No build tool reaches the final stage: builders are other stages.
		for _, c := range final.Commands {
			if r, ok := c.(*instructions.RunCommand); ok {
				line := strings.Join(r.CmdLine, " ")
				for _, tool := range []string{"go build", "cargo", "gcc"} {
					if strings.Contains(line, tool) {
						t.Errorf("%s: final stage runs %q", name, tool)
					}
				}
			}
		}
	}
}

// TestDockerignore: the context keeps what the Dockerfile reads (COPY
// sources and bind mounts from the context) and leaves out the rest.
func TestDockerignore(t *testing.T) {
	for _, o := range testCases() {
		name := caseName(o)
		files := render(t, o)
		patterns, err := ignorefile.ReadAll(bytes.NewReader(files[".dockerignore"].Data))
		if err != nil {
			t.Fatal(err)
		}
		pm, err := patternmatcher.New(patterns)
		if err != nil {
			t.Fatal(err)
		}
		ignored := func(p string) bool {
			m, err := pm.MatchesOrParentMatches(p)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		f := parseDockerfile(t, files["Dockerfile"].Data)
		var needed []string
		for _, s := range f.stages {
			for _, c := range s.Commands {
				switch c := c.(type) {
				case *instructions.CopyCommand:
					if c.From == "" {
						needed = append(needed, c.SourcePaths...)
					}
				case *instructions.RunCommand:
					if err := c.Expand(func(w string) (string, error) { return w, nil }); err != nil {
						t.Fatal(err)
					}
					for _, m := range instructions.GetMounts(c) {
						if m.Type == instructions.MountTypeBind && m.From == "" {
							needed = append(needed, m.Source)
						}
					}
				}
			}
		}
		for _, src := range needed {
			src = path.Clean(src)
			if src == "." {
				continue // COPY . . takes whatever the context holds
			}
			if ignored(src) {
				t.Errorf("%s: .dockerignore leaves out %s, which the Dockerfile reads", name, src)
			}
		}
		// Generated sources the build reads are in; everything else is out.
		for p := range files {
			inContext := !ignored(p)
			wantIn := slices.Contains([]string{"main.go", "go.mod", "Cargo.toml", "Cargo.lock", "src/main.rs", "src/lib.rs", "handler.sh",
				"function.c", "Makefile", "include/faas/function.h", "packages/README.md"}, p) || strings.HasPrefix(p, KeyDir+"/")
			if inContext != wantIn {
				t.Errorf("%s: %s in the build context = %v, want %v", name, p, inContext, wantIn)
			}
		}
		if o.Lang == "prebuilt" && o.Mode == "sharedlib" && ignored("function/"+o.Name+".so") {
			t.Errorf("%s: function/%s.so is left out of the context", name, o.Name)
		}
		if o.Lang == "prebuilt" && o.Mode != "sharedlib" && ignored("function/handler") {
			t.Errorf("%s: function/handler is left out of the context", name)
		}
		if o.Lang == "go" && !ignored("secrets.env") {
			t.Errorf("%s: an unknown file goes into the context", name)
		}
	}
}

// TestEveryTemplateIsUsed: each base has its Dockerfile template, and
// images/dockerfile holds nothing else but the shared defines.
func TestEveryTemplateIsUsed(t *testing.T) {
	want := map[string]bool{dockerfileShared: true}
	for _, b := range Bases {
		want[DockerfileTemplate(b)] = true
	}
	entries, err := fs.ReadDir(images.FS, "dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if p := "dockerfile/" + e.Name(); !want[p] {
			t.Errorf("%s is no base's template", p)
		}
		delete(want, "dockerfile/"+e.Name())
	}
	for p := range want {
		t.Errorf("no template %s", p)
	}
}
