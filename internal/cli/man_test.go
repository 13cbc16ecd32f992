package cli_test

import (
	"strings"
	"testing"
)

// runtime-init man prints the roff page packagers install (the packages,
// the Homebrew formula and the MSYS2 recipe run it): every visible command
// is in it, and the command itself stays out of help and completions.
func TestManCommand(t *testing.T) {
	out, errOut, code := runCLI(t, "", "man")
	if code != 0 {
		t.Fatalf("man: exit %d: %s", code, errOut)
	}
	for _, want := range []string{".TH runtime-init 1", "scaffolds AWS Lambda image projects", "scaffold", "invoke", "serve", "completion"} {
		if !strings.Contains(out, want) {
			t.Errorf("man page lacks %q", want)
		}
	}
	if help, _, _ := runCLI(t, "", "--help"); strings.Contains(help, "man page") {
		t.Errorf("man is listed in --help:\n%s", help)
	}
	if bash, _, _ := runCLI(t, "", "completion", "bash"); strings.Contains(bash, " man ") || strings.Contains(bash, "'man'") {
		t.Errorf("bash completion offers man")
	}
	if _, errOut, code := runCLI(t, "", "man", "extra"); code != 2 || !strings.Contains(errOut, "takes no arguments") {
		t.Errorf("man extra: exit %d, %s", code, errOut)
	}
}
