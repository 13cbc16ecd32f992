package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// envAssign reads NAME=value and NAME="value with spaces" from an ENV line.
var envAssign = regexp.MustCompile(`([A-Z_]+)=("[^"]*"|\S+)`)

// snapStartEnv returns the SnapStart hook settings the project's
// Dockerfile sets, as --env flags, with /var/task mapped to dir.
func snapStartEnv(t *testing.T, dir string) []string {
	t.Helper()
	df, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(df), `LABEL com.amazonaws.lambda.feature.snapstart="Allow"`) {
		t.Fatalf("no SnapStart label in the Dockerfile")
	}
	var flags []string
	for _, line := range strings.Split(string(df), "\n") {
		if !strings.HasPrefix(line, "ENV ") || !strings.Contains(line, "SNAPSTART") {
			continue
		}
		for _, m := range envAssign.FindAllStringSubmatch(line, -1) {
			v := strings.ReplaceAll(strings.Trim(m[2], `"`), "/var/task", dir)
			flags = append(flags, "--env", m[1]+"="+v)
		}
	}
	return flags
}

// A project scaffolded with --snapstart runs its hooks under
// serve --snapstart, in each mode: the Dockerfile's wiring (exec: the
// handler with --before-checkpoint/--after-restore; http: the app's
// /snapstart/ routes; sharedlib: the library's symbols) is what runs.
func TestScaffoldedSnapStartHooksRun(t *testing.T) {
	testutil.Slow(t, "builds three scaffolded functions")
	testutil.Need(t, "gcc", "make")
	key := filepath.Join(testutil.RepoRoot(t), "internal/scaffold/testdata/keys/RPM-GPG-KEY-faas-runtime")
	for _, tc := range []struct {
		mode, lang string
		build      []string
		handler    string
		flags      []string
		event      string
		logBefore  string
	}{
		{"exec", "go", []string{"go", "build", "-o", "handler", "."}, "handler", nil, `{"name":"snap"}`, "fn: before checkpoint"},
		{"http", "go", []string{"go", "build", "-o", "handler", "."}, "handler", []string{"--mode", "http", "--env", "AWS_LWA_PORT=" + testutil.FreePort(t)},
			`{"version":"2.0","rawPath":"/","headers":{},"requestContext":{"http":{"method":"GET","path":"/"}},"isBase64Encoded":false}`, "before checkpoint"},
		{"sharedlib", "c", []string{"make"}, "fn.so", []string{"--runtime", testutil.BinaryWithTags(t, "./cmd/faas-runtime", "sharedlib")}, `{"x":1}`, "fn: before checkpoint"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "fn")
			if _, logs, code := runCLI(t, "", "scaffold", "--snapstart", "--base", "ubi-minimal", "--mode", tc.mode, "--lang", tc.lang, "--name", "fn", "--repo-key", key, dir); code != 0 {
				t.Fatalf("scaffold: exit %d\n%s", code, logs)
			}
			build := exec.Command(tc.build[0], tc.build[1:]...)
			build.Dir = dir
			build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "CGO_ENABLED=0")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("%v: %v\n%s", tc.build, err, out)
			}
			logs := &testutil.SyncBuffer{}
			args := append(append([]string{"--snapstart"}, tc.flags...), snapStartEnv(t, dir)...)
			url, _ := testutil.Serve(t, logs, append(args, "--", filepath.Join(dir, tc.handler))...)
			if code, _, b := testutil.Post(t, url, []byte(tc.event)); code != 200 || strings.Contains(string(b), "errorType") {
				t.Fatalf("invocation: %d %s\n%s", code, b, logs)
			}
			if !logs.WaitFor("after restore") {
				t.Fatalf("the hooks did not run:\n%s", logs)
			}
			got := logs.String()
			if b, a := strings.Index(got, tc.logBefore), strings.Index(got, "after restore"); b < 0 || b > a {
				t.Errorf("want %q before \"after restore\":\n%s", tc.logBefore, got)
			}
		})
	}
}
