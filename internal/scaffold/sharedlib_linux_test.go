//go:build linux

package scaffold

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// The generated C and Rust libraries build with their own build files and
// answer through faas-runtime-sharedlib behind runtime-init's emulator: the
// event echoed, and an event asking for an error gets EchoError.
func TestGeneratedSharedlibFunctions(t *testing.T) {
	testutil.Slow(t, "compiles the generated C and Rust libraries")
	testutil.Need(t, "gcc", "make")
	bin := t.TempDir()
	ri := testutil.GoBuild(t, bin, "./cmd/runtime-init", "runtime-init")
	// runtime-init finds faas-runtime-sharedlib next to itself.
	testutil.GoBuild(t, bin, "./cmd/faas-runtime", "faas-runtime-sharedlib", "GOFLAGS=-buildvcs=false -tags=sharedlib")
	cargo := findCargo(t)
	for _, lang := range []string{"c", "rust"} {
		t.Run(lang, func(t *testing.T) {
			dir := t.TempDir()
			o := fixed(Options{Name: "hello-" + lang, Base: "distroless", Arch: "amd64", Mode: "sharedlib", Lang: lang})
			files, err := Render(o)
			if err != nil {
				t.Fatal(err)
			}
			if err := Write(dir, files, false); err != nil {
				t.Fatal(err)
			}
			lib := filepath.Join(dir, o.Name+".so")
			var build *exec.Cmd
			if lang == "c" {
				build = exec.Command("make", "CFLAGS=-O2 -Wall -Wextra -Werror")
			} else {
				target := filepath.Join(t.TempDir(), "target")
				build = exec.Command("sh", "-c", `"$1" build --release --offline --locked --quiet && cp "$2/release/libhello_rust.so" "$3"`, "sh", cargo, target, lib)
				build.Env = append(os.Environ(), "CARGO_TARGET_DIR="+target)
			}
			build.Dir = dir
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("%v: %v\n%s", build.Args, err, out)
			}
			if lang == "rust" {
				glibcCheck(t, o.Name, lib)
			}
			invoke := func(event string) (string, string, error) {
				ev := filepath.Join(t.TempDir(), "event.json")
				os.WriteFile(ev, []byte(event), 0o644)
				cmd := exec.Command(ri, "invoke", "--event", ev, "--", lib)
				var o, e bytes.Buffer
				cmd.Stdout, cmd.Stderr = &o, &e
				err := cmd.Run()
				return o.String(), e.String(), err
			}
			event, _ := os.ReadFile(filepath.Join(dir, "events", "event.json"))
			stdout, stderr, err := invoke(string(event))
			if err != nil || strings.TrimSpace(stdout) != strings.TrimSpace(string(event)) || !strings.Contains(stderr, o.Name+": request ") {
				t.Fatalf("invoke: %v, stdout %q, stderr:\n%s", err, stdout, stderr)
			}
			stdout, stderr, err = invoke(`{"error":true}`)
			if !strings.Contains(stdout+stderr, "EchoError") {
				t.Fatalf("error event: %v, stdout %q, stderr:\n%s", err, stdout, stderr)
			}
		})
	}
}

func findCargo(t *testing.T) string {
	cargo, err := exec.LookPath("cargo")
	if err != nil {
		home, _ := os.UserHomeDir()
		cargo = filepath.Join(home, ".cargo", "bin", "cargo")
		if _, err := os.Stat(cargo); err != nil {
			testutil.Unavailable(t, "cargo is not installed (rustup installs it)")
		}
	}
	return cargo
}

// glibcCheck runs the UBI Dockerfiles' own glibc-version check (lines
// `newer=...` and the test after it) on a library built here: the check
// must pass for the std-only Rust library, and fail for one that asks for
// a symbol version newer than UBI 9's 2.34 (shown with a fake objdump).
func glibcCheck(t *testing.T, name, lib string) {
	t.Helper()
	testutil.Need(t, "objdump")
	df := string(render(t, fixed(Options{Name: name, Base: "ubi-minimal", Arch: "amd64", Mode: "sharedlib", Lang: "rust"}))["Dockerfile"].Data)
	i := strings.Index(df, "newer=$(")
	if i < 0 {
		t.Fatal("no glibc check in the ubi-minimal Dockerfile")
	}
	var script []string
	for _, l := range strings.SplitN(df[i:], "\n", 3)[:2] {
		script = append(script, strings.TrimSuffix(strings.TrimSpace(l), "\\"))
	}
	sh := "set -eu; " + strings.ReplaceAll(strings.Join(script, " "), "/out/"+name+".so", lib)
	if out, err := exec.Command("sh", "-c", sh).CombinedOutput(); err != nil {
		t.Errorf("the glibc check refuses the std-only library: %v\n%s", err, out)
	}
	fake := t.TempDir()
	os.WriteFile(filepath.Join(fake, "objdump"), []byte("#!/bin/sh\necho '0000 DF *UND* 0 (GLIBC_2.38) __isoc23_strtol'\n"), 0o755)
	cmd := exec.Command("sh", "-c", sh)
	cmd.Env = append(os.Environ(), "PATH="+fake+":"+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "GLIBC_2.38, newer than UBI 9's glibc 2.34") {
		t.Errorf("the glibc check accepts GLIBC_2.38: %v\n%s", err, out)
	}
}
