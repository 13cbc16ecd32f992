// Package workflows checks .github/workflows with actionlint (as a
// library): expressions, contexts, action inputs, and the run: scripts
// through shellcheck when it is installed (make deps installs it; CI
// requires it).
package workflows

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rhysd/actionlint"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

func TestActionlint(t *testing.T) {
	root := testutil.RepoRoot(t)
	shellcheck := ""
	if p, err := exec.LookPath("shellcheck"); err == nil {
		shellcheck = p
	} else if !testing.Short() {
		testutil.Unavailable(t, "shellcheck is not installed (scripts/deps-debian.txt): actionlint checks run: scripts with it")
	}
	var out bytes.Buffer
	l, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{Shellcheck: shellcheck, Oneline: true, Color: actionlint.ColorOptionKindNever})
	if err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(root, ".github", "workflows", "ci.yml"), filepath.Join(root, ".github", "workflows", "release.yml")}
	errs, err := l.LintFiles(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) > 0 {
		t.Fatalf("actionlint: %d problem(s):\n%s", len(errs), out.String())
	}
	// The linter is live: an unknown context and an unquoted expansion fail.
	bad := []byte("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ secret.X }} $1\n")
	if errs, err := l.Lint("bad.yml", bad, nil); err != nil || len(errs) == 0 {
		t.Errorf("actionlint found nothing wrong in a broken workflow (%v)", err)
	}
}
