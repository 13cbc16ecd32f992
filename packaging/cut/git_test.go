package cut

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A Pages tree keeps the previous release's files for one more release:
// old repodata stays while a client may hold the old repomd.xml, and what
// was kept the time before goes.
func TestReplaceKeepingRetired(t *testing.T) {
	dir, tree := t.TempDir(), t.TempDir()
	put := func(root string, files map[string]string) {
		for f, c := range files {
			os.MkdirAll(filepath.Dir(filepath.Join(root, f)), 0o755)
			os.WriteFile(filepath.Join(root, f), []byte(c), 0o644)
		}
	}
	put(dir, map[string]string{".git/HEAD": "ref", "rpm/repodata/repomd.xml": "old", "rpm/repodata/old-primary.xml.gz": "p1",
		"rpm/repodata/older-primary.xml.gz": "p0", RetiredList: "rpm/repodata/older-primary.xml.gz\n"})
	put(tree, map[string]string{"rpm/repodata/repomd.xml": "new", "rpm/repodata/new-primary.xml.gz": "p2"})
	if err := replaceKeepingRetired(dir, tree); err != nil {
		t.Fatal(err)
	}
	got, err := listFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for f := range got {
		names = append(names, f)
	}
	want := map[string]bool{"rpm/repodata/repomd.xml": true, "rpm/repodata/new-primary.xml.gz": true,
		"rpm/repodata/old-primary.xml.gz": true, RetiredList: true}
	if len(got) != len(want) {
		t.Fatalf("files %v, want %v", names, want)
	}
	for f := range want {
		if !got[f] {
			t.Errorf("%s missing (have %v)", f, names)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, RetiredList)); strings.TrimSpace(string(b)) != "rpm/repodata/old-primary.xml.gz" {
		t.Errorf("%s = %q", RetiredList, b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "rpm/repodata/repomd.xml")); string(b) != "new" {
		t.Errorf("repomd.xml not replaced: %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git/HEAD")); err != nil {
		t.Errorf(".git touched: %v", err)
	}
}
