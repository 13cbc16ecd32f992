package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// AWS_LAMBDA_EXEC_WRAPPER: the exec-mode function is started through the
// wrapper (wrapper, then the original command and arguments), which sets a
// variable and execs "$@", as vendors' layers do. A wrapper that is not an
// executable fails init, naming the variable.
func TestExecWrapper(t *testing.T) {
	dir := t.TempDir()
	wrapper := filepath.Join(dir, "wrapper.sh")
	os.WriteFile(wrapper, []byte("#!/bin/sh\nexport WRAPPED_BY=wrapper.sh\nexec \"$@\"\n"), 0o755)
	fn := filepath.Join(dir, "fn.sh")
	os.WriteFile(fn, []byte("#!/bin/sh\nprintf '%s|%s|%s' \"$WRAPPED_BY\" \"$0\" \"$*\"\n"), 0o755)

	out, logs, code := runCLI(t, "", "invoke", "--env", "AWS_LAMBDA_EXEC_WRAPPER="+wrapper, "--", fn, "one", "two")
	if want := "wrapper.sh|" + fn + "|one two"; code != 0 || strings.TrimSpace(out) != want {
		t.Fatalf("exit %d, %q, want %q\n%s", code, out, want, logs)
	}
	out, _, code = runCLI(t, "", "invoke", "--", fn)
	if code != 0 || !strings.HasPrefix(out, "|") {
		t.Fatalf("without the wrapper: exit %d, %q", code, out)
	}

	notExec := filepath.Join(dir, "plain.txt")
	os.WriteFile(notExec, []byte("x"), 0o644)
	for _, bad := range []string{notExec, filepath.Join(dir, "missing")} {
		out, logs, code := runCLI(t, "", "invoke", "--env", "AWS_LAMBDA_EXEC_WRAPPER="+bad, "--", fn)
		if code != 1 || !strings.Contains(out, "Runtime.InvalidConfig") || !strings.Contains(out, "AWS_LAMBDA_EXEC_WRAPPER") {
			t.Errorf("wrapper %s: exit %d, %q\n%s", bad, code, out, logs)
		}
	}
}
