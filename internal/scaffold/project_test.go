package scaffold

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"gopkg.in/yaml.v3"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// distinct calls check once per distinct content of the file p across all
// test cases (build.sh differs only by name and arch, for example).
func distinct(t *testing.T, p string, check func(o Options, data []byte)) {
	t.Helper()
	seen := map[[32]byte]bool{}
	for _, o := range testCases() {
		f, ok := render(t, o)[p]
		if !ok {
			continue
		}
		sum := sha256.Sum256(f.Data)
		if seen[sum] {
			continue
		}
		seen[sum] = true
		check(o, f.Data)
	}
	if len(seen) == 0 {
		t.Fatalf("no test case generates %s", p)
	}
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestShellScripts(t *testing.T) {
	tools := testutil.Need(t, "bash", "shellcheck")
	for _, script := range []string{"build.sh", "handler.sh"} {
		distinct(t, script, func(o Options, data []byte) {
			p := writeTemp(t, script, data)
			shell := tools[0]
			if bytes.HasPrefix(data, []byte("#!/bin/sh")) {
				shell = "sh"
			}
			if out, err := exec.Command(shell, "-n", p).CombinedOutput(); err != nil {
				t.Errorf("%s %s: %s -n: %v\n%s", caseName(o), script, shell, err, out)
			}
			if out, err := exec.Command(tools[1], "--severity=style", p).CombinedOutput(); err != nil {
				t.Errorf("%s %s: shellcheck: %v\n%s", caseName(o), script, err, out)
			}
		})
	}
}

// The generated handler.sh works as generated: it answers an event.
func TestScriptHandlerRuns(t *testing.T) {
	o := fixed(Options{Name: "hello", Base: "alpine", Arch: "amd64", Mode: "exec", Lang: "script"})
	p := writeTemp(t, "handler.sh", render(t, o)["handler.sh"].Data)
	cmd := exec.Command(p)
	cmd.Stdin = strings.NewReader(`{"name":"Lambda"}`)
	cmd.Env = append(os.Environ(), "LAMBDA_REQUEST_ID=req-1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var resp map[string]any
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, out)
	}
	if resp["requestId"] != "req-1" || resp["message"] != "hello from hello" {
		t.Fatalf("response %s", out)
	}
}

// TestTerraform parses main.tf as HCL and checks the ECR repository and
// the Lambda function's image settings.
func TestTerraform(t *testing.T) {
	for _, o := range testCases() {
		name := caseName(o)
		file, diags := hclparse.NewParser().ParseHCL(render(t, o)["main.tf"].Data, "main.tf")
		if diags.HasErrors() {
			t.Errorf("%s: %v", name, diags)
			continue
		}
		resources := map[string]*hclsyntax.Body{}
		for _, b := range file.Body.(*hclsyntax.Body).Blocks {
			if b.Type == "resource" && len(b.Labels) == 2 {
				resources[b.Labels[0]+"."+b.Labels[1]] = b.Body
			}
		}
		// build.sh owns the repository; main.tf only reads it, and the
		// tag has no default (build.sh never pushes "latest").
		if _, ok := resources["aws_ecr_repository.function"]; ok {
			t.Errorf("%s: main.tf creates the ECR repository that build.sh creates", name)
		}
		var readsRepo bool
		for _, b := range file.Body.(*hclsyntax.Body).Blocks {
			readsRepo = readsRepo || b.Type == "data" && len(b.Labels) == 2 && b.Labels[0] == "aws_ecr_repository"
			if b.Type == "variable" && len(b.Labels) == 1 && b.Labels[0] == "image_tag" && b.Body.Attributes["default"] != nil {
				t.Errorf("%s: variable image_tag has a default", name)
			}
		}
		if !readsRepo {
			t.Errorf("%s: no data aws_ecr_repository", name)
		}
		fn := resources["aws_lambda_function.function"]
		if fn == nil {
			t.Errorf("%s: no aws_lambda_function.function", name)
			continue
		}
		want := map[string]cty.Value{
			"function_name": cty.StringVal(o.Name),
			"package_type":  cty.StringVal("Image"),
			"architectures": cty.TupleVal([]cty.Value{cty.StringVal(newData(o, nil).LambdaArch)}),
		}
		for attr, w := range want {
			a := fn.Attributes[attr]
			if a == nil {
				t.Errorf("%s: aws_lambda_function has no %s", name, attr)
				continue
			}
			if v, _ := a.Expr.Value(nil); !v.RawEquals(w) {
				t.Errorf("%s: %s = %#v, want %#v", name, attr, v, w)
			}
		}
		// image_uri is the repository's URL with the tag variable.
		if a := fn.Attributes["image_uri"]; a == nil || !refersTo(a.Expr, "data.aws_ecr_repository.function.repository_url") || !refersTo(a.Expr, "var.image_tag") {
			t.Errorf("%s: image_uri does not name the ECR repository and var.image_tag", name)
		}
		var command cty.Value
		for _, b := range fn.Blocks {
			if b.Type == "image_config" && b.Body.Attributes["command"] != nil {
				command, _ = b.Body.Attributes["command"].Expr.Value(nil)
			}
		}
		if !command.RawEquals(cty.TupleVal([]cty.Value{cty.StringVal(newData(o, nil).Handler)})) {
			t.Errorf("%s: image_config.command = %#v", name, command)
		}
		if _, ok := resources["aws_lambda_function_url.function"]; ok != (o.Mode == "http") {
			t.Errorf("%s: function URL present = %v, want it in http mode only", name, ok)
		}
	}
}

func refersTo(e hcl.Expression, ref string) bool {
	for _, tr := range e.Variables() {
		var parts []string
		for _, s := range tr {
			switch s := s.(type) {
			case hcl.TraverseRoot:
				parts = append(parts, s.Name)
			case hcl.TraverseAttr:
				parts = append(parts, s.Name)
			}
		}
		if strings.Join(parts, ".") == ref {
			return true
		}
	}
	return false
}

// yamlValue turns a YAML node into plain Go values. CloudFormation's short
// tags (!Ref, !GetAtt, !Sub, ...) are kept as a one-key map {"!Ref": value}
// instead of failing, as a plain decode into interface{} would not say
// which function was used.
func yamlValue(n *yaml.Node) any {
	var v any
	switch n.Kind {
	case yaml.DocumentNode:
		return yamlValue(n.Content[0])
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = yamlValue(n.Content[i+1])
		}
		v = m
	case yaml.SequenceNode:
		s := []any{}
		for _, c := range n.Content {
			s = append(s, yamlValue(c))
		}
		v = s
	case yaml.AliasNode:
		return yamlValue(n.Alias)
	default:
		v = n.Value
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return map[string]any{n.Tag: v}
	}
	return v
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// TestSAMTemplate parses template.yaml and checks the function's image
// settings.
func TestSAMTemplate(t *testing.T) {
	for _, o := range testCases() {
		name := caseName(o)
		var doc yaml.Node
		if err := yaml.Unmarshal(render(t, o)["template.yaml"].Data, &doc); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		tpl := yamlValue(&doc)
		fn := dig(tpl, "Resources", "Function")
		props := dig(fn, "Properties")
		checks := []struct {
			got, want any
			what      string
		}{
			{dig(tpl, "Transform"), "AWS::Serverless-2016-10-31", "Transform"},
			{dig(fn, "Type"), "AWS::Serverless::Function", "Type"},
			{dig(props, "PackageType"), "Image", "PackageType"},
			{dig(props, "ImageUri"), map[string]any{"!Ref": "ImageUri"}, "ImageUri"},
			{dig(props, "Architectures"), []any{newData(o, nil).LambdaArch}, "Architectures"},
			{dig(props, "ImageConfig", "Command"), []any{newData(o, nil).Handler}, "ImageConfig.Command"},
			{dig(tpl, "Parameters", "ImageUri", "Type"), "String", "Parameters.ImageUri"},
		}
		if o.Mode == "http" {
			checks = append(checks, struct {
				got, want any
				what      string
			}{dig(props, "FunctionUrlConfig", "AuthType"), "AWS_IAM", "FunctionUrlConfig.AuthType"})
		}
		for _, c := range checks {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("%s: %s = %#v, want %#v", name, c.what, c.got, c.want)
			}
		}
	}
}

func TestEvents(t *testing.T) {
	for _, o := range testCases() {
		var ev map[string]any
		if err := json.Unmarshal(render(t, o)["events/event.json"].Data, &ev); err != nil {
			t.Errorf("%s: events/event.json: %v", caseName(o), err)
			continue
		}
		if o.Mode == "http" && (ev["version"] != "2.0" || dig(ev, "requestContext", "http", "method") != "GET") {
			t.Errorf("%s: not an API Gateway HTTP API v2 event: %v", caseName(o), ev)
		}
	}
}

// TestGoSourcesAreFormatted: generated Go is gofmt-clean.
func TestGoSourcesAreFormatted(t *testing.T) {
	for _, o := range testCases() {
		for p, f := range render(t, o) {
			if filepath.Ext(p) != ".go" {
				continue
			}
			formatted, err := format.Source(f.Data)
			if err != nil {
				t.Errorf("%s %s: %v", caseName(o), p, err)
			} else if !bytes.Equal(formatted, f.Data) {
				t.Errorf("%s %s is not gofmt-formatted", caseName(o), p)
			}
		}
	}
}

// TestGeneratedGoFunction: the Go function's own tests and vet pass, with
// the standard library only (no module download: GOPROXY=off).
func TestGeneratedGoFunction(t *testing.T) {
	testutil.Need(t, "go")
	for _, mode := range []string{"exec", "http"} { // sharedlib refuses Go
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			files, err := Render(fixed(Options{Name: "hello-" + mode, Base: "distroless", Arch: "amd64", Mode: mode, Lang: "go"}))
			if err != nil {
				t.Fatal(err)
			}
			if err := Write(dir, files, false); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"vet", "./..."}, {"test", "-count=1", "./..."}, {"build", "-o", "handler", "."}} {
				cmd := exec.Command("go", args...)
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "CGO_ENABLED=0", "GOWORK=off")
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
				}
			}
		})
	}
}

// TestGeneratedRustFunction: the Rust function's own tests pass with std
// alone (cargo --offline: no package registry here).
func TestGeneratedRustFunction(t *testing.T) {
	cargo, err := exec.LookPath("cargo")
	if err != nil {
		home, _ := os.UserHomeDir()
		cargo = filepath.Join(home, ".cargo", "bin", "cargo")
		if _, err := os.Stat(cargo); err != nil {
			testutil.Unavailable(t, "cargo is not installed (rustup installs it)")
		}
	}
	for _, mode := range Modes {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			base := "alpine"
			if mode == "sharedlib" {
				base = "ubi-minimal" // sharedlib needs glibc
			}
			files, err := Render(fixed(Options{Name: "hello-" + mode, Base: base, Arch: "amd64", Mode: mode, Lang: "rust"}))
			if err != nil {
				t.Fatal(err)
			}
			if err := Write(dir, files, false); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(cargo, "test", "--offline", "--locked", "--quiet")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "CARGO_TARGET_DIR="+filepath.Join(t.TempDir(), "target"))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("cargo test: %v\n%s", err, out)
			}
		})
	}
}
