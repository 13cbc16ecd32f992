package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// runtime-init completion SHELL prints a script that the shell accepts and
// that knows the commands (Homebrew's generate_completions_from_executable
// runs exactly this); another shell, or none, is a usage error.
func TestCompletionCommand(t *testing.T) {
	for shell, want := range map[string]string{
		"bash": "complete -o filenames -F _runtime_init runtime-init",
		"zsh":  "#compdef runtime-init",
		"fish": "complete -c runtime-init",
	} {
		out, errOut, code := runCLI(t, "", "completion", shell)
		if code != 0 || !strings.Contains(out, want) || !strings.Contains(out, "scaffold") {
			t.Errorf("completion %s: exit %d, %.200s\n%s", shell, code, out, errOut)
		}
		if shell == "bash" {
			script := filepath.Join(t.TempDir(), "runtime-init")
			if err := os.WriteFile(script, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			if b, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
				t.Errorf("bash -n: %v\n%s", err, b)
			}
		}
	}
	for _, args := range [][]string{{"completion", "tcsh"}, {"completion"}} {
		if _, errOut, code := runCLI(t, "", args...); code != 2 || !strings.Contains(errOut, "bash, zsh, fish") {
			t.Errorf("%v: exit %d, %s", args, code, errOut)
		}
	}
}

// After --base, --arch, --mode and --lang the scripts offer the values, not
// file names; zsh declares those flags as taking one; fish offers a help
// that works (its argument is a command).
func TestCompletionOffersFlagValues(t *testing.T) {
	dir := t.TempDir()
	script := func(shell string) string {
		out, errOut, code := runCLI(t, "", "completion", shell)
		if code != 0 {
			t.Fatalf("completion %s: exit %d %s", shell, code, errOut)
		}
		p := filepath.Join(dir, "runtime-init."+shell)
		if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bash := script("bash")
	for line, want := range map[string]string{
		"scaffold --base ''": "ubi-minimal ubi-micro al2023 alpine distroless",
		"scaffold --lang ''": "go rust script prebuilt c",
		"scaffold --arch ''": "amd64 arm64",
		"invoke --mode ''":   "exec http sharedlib",
		"build --mode s":     "sharedlib",
		"help sc":            "scaffold",
	} {
		words := "runtime-init " + line
		got, err := exec.Command("bash", "-c", "source "+bash+"; COMP_WORDS=("+words+"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _runtime_init; echo \"${COMPREPLY[*]}\"").CombinedOutput()
		if err != nil || strings.TrimSpace(string(got)) != want {
			t.Errorf("bash, %s: %q (%v), want %q", words, got, err, want)
		}
	}

	zsh := testutil.Need(t, "zsh")[0]
	zs := script("zsh")
	if b, err := exec.Command(zsh, "-n", zs).CombinedOutput(); err != nil {
		t.Errorf("zsh -n: %v\n%s", err, b)
	}
	b, _ := os.ReadFile(zs)
	for _, want := range []string{":base:(ubi-minimal ubi-micro al2023 alpine distroless)'", ":lang:(go rust script prebuilt c)'", ":mode:(exec http sharedlib)'", ":event:_files'"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("zsh script lacks %q", want)
		}
	}

	fish := testutil.Need(t, "fish")[0]
	fs := script("fish")
	for line, want := range map[string]string{
		"runtime-init scaffold --base ": "al2023 alpine distroless ubi-micro ubi-minimal",
		"runtime-init invoke --mode ":   "exec http sharedlib",
		"runtime-init help sc":          "scaffold",
	} {
		got, err := exec.Command(fish, "-c", "source "+fs+"; complete -C'"+line+"' | cut -f1 | sort | string join ' '; true").CombinedOutput()
		if err != nil || strings.TrimSpace(string(got)) != want {
			t.Errorf("fish, %q: %q (%v), want %q", line, got, err, want)
		}
	}
}
