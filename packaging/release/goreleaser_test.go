package release_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/build"
	"github.com/faas-runtime/faas-runtime/packaging/meta"
	"github.com/faas-runtime/faas-runtime/packaging/version"
)

type grConfig struct {
	Nfpms []struct {
		ID          string   `yaml:"id"`
		PackageName string   `yaml:"package_name"`
		IDs         []string `yaml:"ids"`
		Formats     []string `yaml:"formats"`
		Vendor      string   `yaml:"vendor"`
		Homepage    string   `yaml:"homepage"`
		Maintainer  string   `yaml:"maintainer"`
		Description string   `yaml:"description"`
		License     string   `yaml:"license"`
		Section     string   `yaml:"section"`
		Bindir      string   `yaml:"bindir"`
		Contents    []struct {
			Src, Dst, Packager string
			FileInfo           struct {
				Mode os.FileMode `yaml:"mode"`
			} `yaml:"file_info"`
		} `yaml:"contents"`
		RPM struct {
			Summary string `yaml:"summary"`
		} `yaml:"rpm"`
	} `yaml:"nfpms"`
	Builds []struct {
		ID, Main, Binary string
		Goos, Goarch     []string
	} `yaml:"builds"`
}

func loadConfig(t *testing.T) grConfig {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c grConfig
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// The nfpms of .goreleaser.yaml describe the same packages as packaging/meta:
// names, formats, metadata and the files each format installs.
func TestNfpmsMatchMeta(t *testing.T) {
	c := loadConfig(t)
	v, _ := version.Parse("1.2.3")
	builds := map[string]string{} // build id -> main
	for _, b := range c.Builds {
		builds[b.ID] = b.Main
		if b.ID == "faas-runtime-sharedlib" {
			continue // glibc Linux only
		}
		if strings.Join(b.Goos, ",") != "linux,darwin,windows" || strings.Join(b.Goarch, ",") != "amd64,arm64" {
			t.Errorf("build %s: goos %v goarch %v, want linux,darwin,windows x amd64,arm64", b.ID, b.Goos, b.Goarch)
		}
	}
	seen := map[string]bool{}
	for _, n := range c.Nfpms {
		p, ok := meta.Get(n.PackageName)
		if !ok {
			t.Errorf("nfpm %s: no package %q in packaging/meta", n.ID, n.PackageName)
			continue
		}
		seen[p.Name] = true
		var linuxFormats []string
		for _, f := range p.Formats {
			if f != "msys2" {
				linuxFormats = append(linuxFormats, f)
			}
		}
		if a, b := sorted(n.Formats), sorted(linuxFormats); a != b {
			t.Errorf("%s formats: goreleaser %s, meta %s", p.Name, a, b)
		}
		for _, format := range n.Formats {
			info, err := build.Info(build.Target{Pkg: p, Format: format, GOOS: "linux", GOARCH: "amd64"}, v, time.Unix(0, 0),
				func(f meta.File) (string, error) { return f.Src, nil })
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []struct{ name, gr, meta string }{
				// GoReleaser has one description for all formats: the one line
				// apk and pacman take; packaging/ adds the long text for rpm and deb.
				{"description", n.Description, strings.SplitN(info.Description, "\n", 2)[0]},
				{"license", n.License, info.License},
				{"maintainer", n.Maintainer, info.Maintainer},
				{"homepage", n.Homepage, info.Homepage},
				{"vendor", n.Vendor, info.Vendor},
				{"section", n.Section, info.Section},
				{"rpm summary", n.RPM.Summary, info.RPM.Summary},
			} {
				if f.gr != f.meta {
					t.Errorf("%s %s: goreleaser %q, packaging/meta %q", p.Name, f.name, f.gr, f.meta)
				}
			}
			// Files: goreleaser's binaries (bindir + each build's binary) and
			// contents for this packager, against build.Info's contents.
			var gr, want []string
			for _, id := range n.IDs {
				for _, b := range c.Builds {
					if b.ID == id {
						gr = append(gr, n.Bindir+"/"+b.Binary)
					}
				}
			}
			for _, ct := range n.Contents {
				if ct.Packager == "" || ct.Packager == format {
					gr = append(gr, ct.Dst)
				}
			}
			for _, ct := range info.Contents {
				want = append(want, ct.Destination)
			}
			if a, b := sorted(gr), sorted(want); a != b {
				t.Errorf("%s %s files:\n goreleaser %s\n meta       %s", p.Name, format, a, b)
			}
		}
	}
	for _, p := range meta.Packages() {
		if !seen[p.Name] {
			t.Errorf("package %s of packaging/meta has no nfpm in .goreleaser.yaml", p.Name)
		}
	}
}

func sorted(s []string) string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return strings.Join(c, " ")
}

// goreleaser check accepts the configuration, and a snapshot release of the
// current tree produces every artifact. It runs in a copy of the tree with
// its own git repository (the snapshot needs a commit and a remote, never
// contacted).
func TestGoReleaserSnapshot(t *testing.T) {
	testutil.Slow(t, "a whole goreleaser release --snapshot")
	testutil.Need(t, "git")
	gr := filepath.Join(goPath(t), "bin", "goreleaser")
	if _, err := os.Stat(gr); err != nil {
		testutil.Unavailable(t, "goreleaser v2.14.3 is not installed: run `make goreleaser-install` (make test does)")
	}
	root := testutil.RepoRoot(t)
	work := filepath.Join(t.TempDir(), "src")
	copyTree(t, root, work)
	for _, args := range [][]string{
		{"init", "-q"}, {"add", "-A"},
		{"-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "-q", "-m", "snapshot"},
		{"remote", "add", "origin", "https://github.com/faas-runtime/faas-runtime.git"},
	} {
		runIn(t, work, "git", args...)
	}
	runIn(t, work, gr, "check")
	runIn(t, work, gr, "release", "--snapshot", "--clean")
	dist := filepath.Join(work, "dist", "goreleaser")
	var missing []string
	expect := []string{"checksums.txt", "faas-runtime-0.0.1-pre.tar.gz", "homebrew/Casks/faas-runtime-bin.rb"}
	for _, osarch := range []string{"linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64"} {
		expect = append(expect, "faas-runtime_0.0.1-pre_"+osarch+".tar.gz")
	}
	expect = append(expect, "faas-runtime_0.0.1-pre_windows_amd64.zip", "faas-runtime_0.0.1-pre_windows_arm64.zip")
	for _, p := range []string{"faas-runtime", "runtime-init"} {
		expect = append(expect,
			p+"-0.0.1~pre-1.x86_64.rpm", p+"-0.0.1~pre-1.aarch64.rpm",
			p+"_0.0.1~pre_amd64.deb", p+"_0.0.1~pre_arm64.deb",
			p+"_0.0.1_pre_x86_64.apk", p+"_0.0.1_pre_aarch64.apk",
			p+"-0.0.1pre-1-x86_64.pkg.tar.zst", p+"-0.0.1pre-1-aarch64.pkg.tar.zst")
	}
	for _, a := range []string{"x86_64", "aarch64"} {
		expect = append(expect, "faas-runtime-sharedlib-0.0.1~pre-1."+a+".rpm", "faas-runtime-sharedlib-0.0.1pre-1-"+a+".pkg.tar.zst")
	}
	expect = append(expect, "faas-runtime-sharedlib_0.0.1~pre_amd64.deb", "faas-runtime-sharedlib_0.0.1~pre_arm64.deb")
	for _, f := range expect {
		if _, err := os.Stat(filepath.Join(dist, f)); err != nil {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		entries, _ := os.ReadDir(dist)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("snapshot lacks %v; it has %v", missing, names)
	}
}

func goPath(t *testing.T) string {
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func runIn(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// copyTree copies the files git would (tracked and untracked, not ignored).
func copyTree(t *testing.T, root, dst string) {
	t.Helper()
	out := runIn(t, root, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	for _, name := range strings.Split(strings.TrimRight(out, "\x00"), "\x00") {
		src := filepath.Join(root, name)
		st, err := os.Lstat(src)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(filepath.Join(dst, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dst, name), b, st.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
}
