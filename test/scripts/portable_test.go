package scripts

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// Nothing in the tree is specific to one machine or one mirror: no
// absolute path of a build machine (a clone lives anywhere; the
// package-manager sources are found as ../shared beside it), and no
// package-registry or mirror host (the Debian mirror comes from apt's own
// sources or FAAS_DEBIAN_MIRROR, Go modules from GOPROXY; SBOMs identify
// modules by purl). This file names them to look for them, so it is not
// searched itself.
func TestTreeNamesNoMachinePathOrRegistryHost(t *testing.T) {
	git := testutil.Need(t, "git")[0]
	root := testutil.RepoRoot(t)
	cmd := exec.Command(git, "ls-files", "-z")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		testutil.Unavailable(t, "git ls-files in %s: %v (not a git checkout)", root, err)
	}
	machinePath := regexp.MustCompile(`(^|[^A-Za-z0-9_.~-])/(work|home|root|Users)/[^\s"'` + "`" + `)]*`)
	// Paths inside images, not on a machine: the golang build stage's cache
	// and the distroless user's home in the stand-in's /etc/passwd.
	inImage := []string{"/root/.cache/go-build", "/home/nonroot"}
	registryHost := regexp.MustCompile(`(?i)\b(proxy\.golang\.org|sum\.golang\.org|goproxy\.(io|cn)|` +
		`(deb|ftp|security|snapshot|archive)\.debian\.org|archive\.ubuntu\.com|` +
		`registry\.(npmjs|yarnpkg)\.org|pypi\.org|files\.pythonhosted\.org|(index\.|static\.)?crates\.io|` +
		`rubygems\.org|dl-cdn\.alpinelinux\.org|mirrors\.fedoraproject\.org|repo\.maven\.apache\.org)\b`)
	self := filepath.ToSlash(filepath.Join("test", "scripts", "portable_test.go"))
	files := 0
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		if name == "" || name == self || name == "go.sum" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, name))
		if err != nil || bytes.IndexByte(data, 0) >= 0 { // gone from the work tree, or binary
			continue
		}
		files++
		for i, line := range strings.Split(string(data), "\n") {
			for _, m := range machinePath.FindAllStringSubmatch(line, -1) {
				p := strings.TrimLeft(m[0], m[1])
				allowed := false
				for _, a := range inImage {
					allowed = allowed || strings.HasPrefix(p, a)
				}
				if !allowed {
					t.Errorf("%s:%d: absolute machine path %s", name, i+1, p)
				}
			}
			if h := registryHost.FindString(line); h != "" {
				t.Errorf("%s:%d: package-registry host %s", name, i+1, h)
			}
		}
	}
	if files < 100 {
		t.Fatalf("searched %d files; want the whole tree", files)
	}
}
