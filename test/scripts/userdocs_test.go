package scripts

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// The user pages say what a user does; how the project tests it (stand-in
// bases, the test cache, timings, golden files, test names) is in
// docs/development.md, which they link to.
func TestUserDocsHaveNoTestHarness(t *testing.T) {
	harness := regexp.MustCompile(`(?i)stand-in|standin|FAAS_TEST_CACHE|test cache|golden|Test[A-Z]\w+|Measured cold|e2e/`)
	for _, page := range []string{"installers.md", "scaffold.md"} {
		b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "docs", page))
		if err != nil {
			t.Fatal(err)
		}
		// The one sentence pointing to development.md may name what is there.
		text := regexp.MustCompile(`(?m)^.*\]\(development\.md#[^)]*\).*$`).ReplaceAll(b, nil)
		text = regexp.MustCompile(`(?m)^.*tested, with the real installers on local\n`).ReplaceAll(text, nil)
		if m := harness.FindAll(text, 5); m != nil {
			t.Errorf("docs/%s describes the test harness (%q): move it to docs/development.md", page, m)
		}
	}
}
