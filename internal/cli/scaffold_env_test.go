package cli_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/scaffold/trust"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// FAAS_REPO_KEY (comma-separated files) and FAAS_REPO_URL work as
// --repo-key and --repo-url do: a CI job or a Makefile sets them once.
func TestScaffoldRepoEnv(t *testing.T) {
	pgp, apk := testKeys(t)
	k, err := trust.FromFiles([]string{pgp, apk})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "p")
	url := "http://127.0.0.1:9/faas"
	out, logs, code := runtimeInit(t, []string{"FAAS_REPO_KEY=" + pgp + "," + apk, "FAAS_REPO_URL=" + url},
		"scaffold", "--name", "fn", "--base", "alpine", "--lang", "prebuilt", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, logs)
	}
	if !strings.Contains(out, k.APK.Fingerprint()) {
		t.Errorf("the FAAS_REPO_KEY apk key is not pinned:\n%s", out)
	}
	if df := readFile(t, filepath.Join(dir, "Dockerfile")); !strings.Contains(df, "ARG FAAS_REPO_URL="+url+"\n") {
		t.Errorf("the Dockerfile's FAAS_REPO_URL is not the environment's %s", url)
	}
	// A bad value is refused as the flag's would be.
	_, logs, code = runtimeInit(t, []string{"FAAS_REPO_KEY=" + pgp, "FAAS_REPO_URL=repo.example.com"},
		"scaffold", "--name", "fn", "--lang", "prebuilt", filepath.Join(t.TempDir(), "q"))
	if code != 2 || !strings.Contains(logs, `"repo.example.com": want the repository's base URL`) {
		t.Errorf("bad FAAS_REPO_URL: exit %d\n%s", code, logs)
	}
}

// On a terminal, with no release keys built in and no key or URL given,
// the repository is the first question, before --base and the others.
func TestScaffoldAsksForRepositoryFirst(t *testing.T) {
	if trust.HasRelease() {
		t.Skip("release keys are built in: nothing to ask")
	}
	script := testutil.Need(t, "script")[0]
	bin := testutil.Binary(t, "./cmd/runtime-init")
	dir := filepath.Join(t.TempDir(), "p")
	// script(1) gives runtime-init a terminal; the one answer is the URL,
	// then stdin ends, so the next question fails to read an answer.
	cmd := exec.Command(script, "-qec", bin+" scaffold "+dir, "/dev/null")
	for _, kv := range cmd.Environ() {
		if !strings.HasPrefix(kv, "FAAS_REPO_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stdin = strings.NewReader("http://127.0.0.1:9/faas\n")
	out, _ := cmd.CombinedOutput()
	s := string(out)
	first, base := strings.Index(s, "--repo-url"), strings.Index(s, "--base")
	if first < 0 || base < 0 || first > base {
		t.Fatalf("want --repo-url asked first, then --base; got:\n%s", s)
	}
	if strings.Contains(s[:base], "--name") || strings.Contains(s[:base], "--lang") {
		t.Errorf("another question came before the repository:\n%s", s)
	}
}
