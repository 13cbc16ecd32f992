package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// SnapStart in exec mode through the real runtime: invoke --snapstart and
// serve --snapstart run init, the before-checkpoint hook, the restore
// phase, the after-restore hook, then invocations, in that order and the
// hooks once; a failed hook fails init (before) or the restore (after).
func TestSnapStartExecHooks(t *testing.T) {
	dir := t.TempDir()
	order := filepath.Join(dir, "order")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755)
		return p
	}
	before := write("before.sh", "echo \"before $AWS_LAMBDA_INITIALIZATION_TYPE\" >> "+order)
	after := write("after.sh", "echo after >> "+order)
	fn := write("fn.sh", "cat >/dev/null; echo invoke >> "+order+"; cat "+order)
	bad := write("bad.sh", "echo 'cannot reconnect' >&2; exit 3")
	hooks := []string{"--env", "FAAS_SNAPSTART_BEFORE_CHECKPOINT=" + before, "--env", "FAAS_SNAPSTART_AFTER_RESTORE=" + after}

	out, logs, code := runCLI(t, "", append(append([]string{"invoke", "--snapstart"}, hooks...), "--", fn)...)
	if code != 0 || out != "before snap-start\nafter\ninvoke\n" {
		t.Fatalf("invoke --snapstart: exit %d, %q\n%s", code, out, logs)
	}
	// Without --snapstart no hook runs.
	os.Remove(order)
	if out, logs, code = runCLI(t, "", append(append([]string{"invoke"}, hooks...), "--", fn)...); code != 0 || out != "invoke\n" {
		t.Fatalf("invoke: exit %d, %q\n%s", code, out, logs)
	}

	// serve --snapstart: the hooks once, then every invocation.
	os.Remove(order)
	url, _ := testutil.Serve(t, nil, append(append([]string{"--snapstart"}, hooks...), "--", fn)...)
	testutil.Post(t, url, []byte(`{}`))
	if code, _, b := testutil.Post(t, url, []byte(`{}`)); code != 200 || string(b) != "before snap-start\nafter\ninvoke\ninvoke\n" {
		t.Fatalf("serve --snapstart: %d %q", code, b)
	}

	for _, tc := range []struct{ env, phase string }{
		{"FAAS_SNAPSTART_BEFORE_CHECKPOINT", "init failed"},
		{"FAAS_SNAPSTART_AFTER_RESTORE", "after-restore hook failed"},
	} {
		out, logs, code := runCLI(t, "", "invoke", "--snapstart", "--env", tc.env+"="+bad, "--", fn)
		if e := errorOf(t, out); code != 1 || e.Type != "Runtime.SnapStartHookFailed" || !strings.Contains(e.Message, tc.env) ||
			!strings.Contains(e.Message, "cannot reconnect") || !strings.Contains(logs, tc.phase) {
			t.Errorf("%s failing: exit %d, %+v\n%s", tc.env, code, e, logs)
		}
	}
}
