package scaffold

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// The golden files show the generated text a reviewer reads, once each:
//
//   - dockerfile/<base>.<mode>.Dockerfile: the whole Dockerfile of each base
//     and mode (amd64, --lang prebuilt: no build stage), so a change to a
//     base's install stage shows as at most three diffs, one per mode;
//   - build-stage/<lang>.<modes>.<bases>.Dockerfile: each distinct function
//     build stage, named by the modes and bases that share it;
//   - project/<base>.<mode>.<lang>.txt: every other file of one project per
//     mode and language, as --dry-run prints it (the bases rotate).
//
// The 86 combinations (and the --debug variants) are not each kept whole:
// 78 golden projects meant that one line changed in an install stage gave
// dozens of identical diffs to read. What makes them differ is tested
// instead: an arch only substitutes its names (TestDockerfileArch), a
// language only adds its image ARG, its build stage and the function's
// COPY and CMD (TestDockerfileLang), --debug only adds the base's debug
// tools (TestDockerfileDebug); TestDockerfilesParseAndLint,
// TestDockerfileStructure, TestDockerignore, TestTerraform, TestSAMTemplate
// and the others check every combination's files.
//
// After changing a template: go test ./internal/scaffold -run TestGolden
// -update, and review the diff.
func TestGolden(t *testing.T) {
	want := map[string][]byte{}
	for _, b := range Bases {
		for _, m := range Modes {
			o := fixed(Options{Name: "hello", Base: b, Arch: "amd64", Mode: m, Lang: "prebuilt"})
			if o.Validate() != nil {
				continue
			}
			want["dockerfile/"+b+"."+m+".Dockerfile"] = render(t, o)["Dockerfile"].Data
		}
	}
	for name, stage := range buildStages(t) {
		want["build-stage/"+name+".Dockerfile"] = stage
	}
	for _, o := range projectGoldenCases() {
		var files []File
		for _, f := range render(t, o) {
			if f.Path != "Dockerfile" {
				files = append(files, f)
			}
		}
		slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
		var b bytes.Buffer
		if err := Print(&b, "hello", files); err != nil {
			t.Fatal(err)
		}
		want["project/"+o.Base+"."+o.Mode+"."+o.Lang+".txt"] = b.Bytes()
	}
	checkGolden(t, filepath.Join("testdata", "golden"), want)
}

// projectGoldenCases: one project per mode × language, the bases rotating
// so that each base's own text (packages/README.md, README.md) is shown.
func projectGoldenCases() []Options {
	var out []Options
	i := 0
	for _, m := range Modes {
		for _, l := range Langs {
			for range Bases {
				o := fixed(Options{Name: "hello", Base: Bases[i%len(Bases)], Arch: "amd64", Mode: m, Lang: l})
				i++
				if o.Validate() == nil {
					out = append(out, o)
					break
				}
			}
		}
	}
	return out
}

// sections splits a Dockerfile at its blank lines: the header, the image
// ARGs, the install ARGs, then one section per stage (or group of stages).
func sections(df []byte) []string {
	return strings.Split(string(df), "\n\n")
}

// buildSection returns the index of the section that builds the function,
// or -1.
func buildSection(secs []string) int {
	for i, s := range secs {
		if strings.Contains(s, " AS build\n") || strings.Contains(s, " AS build-") {
			return i
		}
	}
	return -1
}

// buildStages returns each distinct build stage (amd64) by a name that
// says which language, modes and bases use it.
func buildStages(t *testing.T) map[string][]byte {
	t.Helper()
	type group struct {
		lang         string
		modes, bases []string
	}
	var order []string
	groups := map[string]*group{}
	for _, o := range Combinations() {
		if o.Arch != "amd64" {
			continue
		}
		secs := sections(render(t, fixed(o))["Dockerfile"].Data)
		i := buildSection(secs)
		if i < 0 {
			continue
		}
		g := groups[secs[i]]
		if g == nil {
			g = &group{lang: o.Lang}
			groups[secs[i]] = g
			order = append(order, secs[i])
		}
		if !slices.Contains(g.modes, o.Mode) {
			g.modes = append(g.modes, o.Mode)
		}
		if !slices.Contains(g.bases, o.Base) {
			g.bases = append(g.bases, o.Base)
		}
	}
	out := map[string][]byte{}
	for _, text := range order {
		g := groups[text]
		name := g.lang + "." + strings.Join(g.modes, "+") + "." + strings.Join(g.bases, "+")
		if _, dup := out[name]; dup {
			t.Fatalf("two different build stages would both be named %s", name)
		}
		out[name] = []byte(text + "\n")
	}
	return out
}

// checkGolden compares want with the files under dir (or writes them with
// -update), and reports golden files nothing generates any more.
func checkGolden(t *testing.T, dir string, want map[string][]byte) {
	t.Helper()
	for name, got := range want {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		golden, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%v (run with -update to create it)", err)
			continue
		}
		if !bytes.Equal(golden, got) {
			t.Errorf("%s differs from the golden file (run with -update and review the diff)\n%s", name, firstDiff(golden, got))
		}
	}
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if _, ok := want[filepath.ToSlash(rel)]; ok {
			return nil
		}
		if *update {
			return os.Remove(p)
		}
		t.Errorf("stale golden file %s", rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
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
			return "line " + strconv.Itoa(i+1) + ":\n  golden: " + string(x) + "\n  got:    " + string(y)
		}
	}
	return ""
}

// An arch changes only its names: the arm64 Dockerfile is the amd64 one
// with arm64 and aarch64 in place of amd64 and x86_64.
func TestDockerfileArch(t *testing.T) {
	toAMD64 := strings.NewReplacer("aarch64", "x86_64", "AARCH64", "X86_64", "arm64", "amd64")
	n := 0
	for _, o := range testCases() {
		if o.Arch != "arm64" {
			continue
		}
		amd := o
		amd.Arch = "amd64"
		got := toAMD64.Replace(string(render(t, o)["Dockerfile"].Data))
		if want := string(render(t, amd)["Dockerfile"].Data); got != want {
			t.Errorf("%s differs from its amd64 Dockerfile by more than the arch's names\n%s", caseName(o), firstDiff([]byte(want), []byte(got)))
		}
		n++
	}
	if n == 0 {
		t.Fatal("no arm64 case")
	}
}

// A language changes only the image ARGs (checked against ImagesFor by
// TestDockerfileStructure), the build stage (golden), and the function's
// COPY and CMD (TestDockerfileStructure): everything else is the prebuilt
// project's Dockerfile, whose golden file is shown.
func TestDockerfileLang(t *testing.T) {
	strip := func(df []byte) []string {
		secs := sections(df)
		if i := buildSection(secs); i >= 0 {
			secs = slices.Delete(secs, i, i+1)
		}
		secs[1] = "(image ARGs)"
		last := strings.Split(secs[len(secs)-1], "\n")
		last = slices.DeleteFunc(last, func(l string) bool {
			return strings.HasPrefix(l, "COPY --chmod=0755 ") || strings.HasPrefix(l, "COPY --from=build") || strings.HasPrefix(l, "CMD ")
		})
		secs[len(secs)-1] = strings.Join(last, "\n")
		return secs
	}
	for _, o := range testCases() {
		if o.Lang == "prebuilt" {
			continue
		}
		pre := o
		pre.Lang = "prebuilt"
		got, want := strip(render(t, o)["Dockerfile"].Data), strip(render(t, pre)["Dockerfile"].Data)
		if !slices.Equal(got, want) {
			t.Errorf("%s differs from the prebuilt Dockerfile outside the image ARGs, the build stage and the function's COPY and CMD:\n%s",
				caseName(o), firstDiff([]byte(strings.Join(want, "\n\n")), []byte(strings.Join(got, "\n\n"))))
		}
	}
}

// --debug adds the base's debug tools (or its debug image) and says so; the
// normal project has neither.
func TestDockerfileDebug(t *testing.T) {
	marks := map[string]string{
		"ubi-minimal": "microdnf install -y --nodocs --setopt=install_weak_deps=0 procps-ng",
		"ubi-micro":   `"$pkg" procps-ng;`,
		"al2023":      "microdnf install -y --nodocs --setopt=install_weak_deps=0 procps-ng",
		"alpine":      "apk add --no-cache strace",
		"distroless":  ":debug-nonroot\n",
	}
	n := 0
	for _, o := range testCases() {
		if !o.Debug {
			continue
		}
		n++
		normal := o
		normal.Debug = false
		for _, c := range []struct {
			o    Options
			want bool
		}{{o, true}, {normal, false}} {
			files := render(t, c.o)
			df := string(files["Dockerfile"].Data)
			for _, mark := range []string{"DEBUG VARIANT (--debug)", marks[o.Base]} {
				if strings.Contains(df, mark) != c.want {
					t.Errorf("%s: Dockerfile has %q = %v, want %v", caseName(c.o), mark, !c.want, c.want)
				}
			}
			if strings.Contains(string(files["README.md"].Data), "(debug variant)") != c.want {
				t.Errorf("%s: README.md mentions the debug variant = %v", caseName(c.o), !c.want)
			}
		}
		if o.Base == "ubi-micro" && !strings.Contains(string(render(t, o)["Dockerfile"].Data), "COPY --from=rootfs-"+o.Arch+" /mnt/rootfs/ /\n") {
			t.Errorf("%s: the debug variant does not copy the whole root", caseName(o))
		}
	}
	if n != len(Bases)+2 {
		t.Fatalf("%d debug cases, want one per base and two sharedlib", n)
	}
}

// A comment belongs to the instructions after it: no paragraph but the
// header is comments alone (a blank line would detach it).
func TestDockerfileCommentsAttached(t *testing.T) {
	for _, o := range testCases() {
		for i, sec := range sections(render(t, o)["Dockerfile"].Data)[1:] {
			onlyComments := true
			for _, l := range strings.Split(strings.TrimSpace(sec), "\n") {
				if !strings.HasPrefix(l, "#") {
					onlyComments = false
				}
			}
			if onlyComments {
				t.Errorf("%s: paragraph %d is only comments:\n%s", caseName(o), i+2, sec)
			}
		}
	}
}
