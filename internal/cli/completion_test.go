package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
