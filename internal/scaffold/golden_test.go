package scaffold

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// Each combination's whole project, as --dry-run prints it, is compared
// with testdata/golden/<base>.<arch>.<mode>.<lang>.txt. After changing a
// template: go test ./internal/scaffold -run TestGolden -update, and
// review the diff.
func TestGolden(t *testing.T) {
	dir := filepath.Join("testdata", "golden")
	want := map[string]bool{}
	for _, o := range testCases() {
		name := caseName(o) + ".txt"
		want[name] = true
		files, err := Render(o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got bytes.Buffer
		if err := Print(&got, "hello", files); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		golden, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(golden, got.Bytes()) {
			t.Errorf("%s differs from the golden file (run with -update and review the diff)\n%s", name, firstDiff(golden, got.Bytes()))
		}
	}
	// No stale golden files for combinations that no longer exist.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !want[e.Name()] {
			if *update {
				os.Remove(filepath.Join(dir, e.Name()))
			} else {
				t.Errorf("stale golden file %s", e.Name())
			}
		}
	}
}

func firstDiff(a, b []byte) string {
	al, bl := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y []byte
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if !bytes.Equal(x, y) {
			return "line " + itoa(i+1) + ":\n  golden: " + string(x) + "\n  got:    " + string(y)
		}
	}
	return ""
}

func itoa(i int) string { return strconv.Itoa(i) }
