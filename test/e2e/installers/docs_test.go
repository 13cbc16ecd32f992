package installers

// Runs the install lines users copy from docs/installers.md, unchanged,
// with the real microdnf, dnf and apk (2 and 3) in the stand-in bases.

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/scaffold/trust"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/repo"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
	"github.com/faas-runtime/faas-runtime/test/e2e/containers"
)

func TestDocsInstallLines(t *testing.T) {
	needPodman(t, "runs the installers in stand-in bases with podman", "curl", "ldd")

	refs := standIns(t, "amd64", "ubi-minimal", "ubi", "alpine-apk2", "alpine-apk3")
	dir := repotest.Dir(t)
	base := containers.Serve(t, publishedAt(dir))
	keys, err := trust.FromFiles([]string{filepath.Join(dir, repo.RPMKey), filepath.Join(dir, repo.AlpineDir, signing.DefaultAPKKeyName)})
	if err != nil {
		t.Fatal(err)
	}
	packaged := containers.ReadFile(t, repotest.RuntimeBinary(t, "amd64"))
	rows := installRows(t, filepath.Join(testutil.RepoRoot(t), "docs", "installers.md"))
	t.Logf("docs/installers.md, run as the user copies them with REPO=%s:\nmicrodnf:\n\t%s\ndnf:\n\t%s\napk:\n\t%s", base,
		strings.Join(rows["RHEL / UBI minimal (microdnf)"], "\n\t"), strings.Join(rows["RHEL / UBI / Fedora (dnf)"], "\n\t"),
		strings.Join(rows["Alpine (apk)"], "\n\t"))

	// The UBI stand-ins have no curl (UBI has curl-minimal): the host's
	// curl runs in them, with the host's libraries and loader.
	curl := hostCurl(t)

	for _, c := range []struct {
		name, standIn, row string
		mounts             []string
	}{
		{"ubi-minimal stand-in, microdnf", "ubi-minimal", "RHEL / UBI minimal (microdnf)", curl},
		{"ubi stand-in, dnf", "ubi", "RHEL / UBI / Fedora (dnf)", curl},
		{"alpine stand-in, apk 2", "alpine-apk2", "Alpine (apk)", nil},
		{"alpine stand-in, apk 3", "alpine-apk3", "Alpine (apk)", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			lines := rows[c.row]
			if len(lines) == 0 {
				t.Fatalf("docs/installers.md has no row %q", c.row)
			}
			env := map[string]string{"REPO": base, "PGP_FPR": keys.PGP.Fingerprint(), "APK_FPR": keys.APK.Fingerprint()}
			out, got, err := runLines(t, refs[c.standIn], lines, env, c.mounts)
			if err != nil {
				t.Fatalf("the lines of %q failed: %v\n%s", c.row, err, testutil.Tail([]byte(out)))
			}
			if got == nil {
				t.Fatalf("no /usr/bin/faas-runtime after the lines of %q:\n%s", c.row, testutil.Tail([]byte(out)))
			}
			t.Logf("output:\n%s", testutil.Tail([]byte(out)))
			if sum(got) != sum(packaged) {
				t.Errorf("/usr/bin/faas-runtime (sha256 %s) is not the packaged binary (sha256 %s)", sum(got)[:16], sum(packaged)[:16])
			}

			// Another published fingerprint: the check line stops the
			// lines before any installer runs.
			env["PGP_FPR"], env["APK_FPR"] = strings.Repeat("0", 40), strings.Repeat("0", 64)
			out, got, err = runLines(t, refs[c.standIn], lines, env, c.mounts)
			if err == nil || got != nil {
				t.Errorf("the lines of %q installed with a key whose fingerprint is not the published one:\n%s", c.row, testutil.Tail([]byte(out)))
			}
			t.Logf("with another fingerprint: %v\n%s", err, testutil.Tail([]byte(out)))
		})
	}
}

// installRows reads the install table of docs/installers.md: platform ->
// the command lines of its cell. Each line of a runnable row must be one
// code span, so that what the test runs is what the user copies.
func installRows(t *testing.T, path string) map[string][]string {
	t.Helper()
	span := regexp.MustCompile("^`([^`]+)`$")
	rows := map[string][]string{}
	for _, l := range strings.Split(string(containers.ReadFile(t, path)), "\n") {
		if !strings.HasPrefix(l, "| ") {
			continue
		}
		// GitHub's tables need | escaped even in code spans.
		cells := strings.Split(strings.ReplaceAll(l, `\|`, "\x00"), " | ")
		if len(cells) != 2 {
			continue
		}
		platform := strings.TrimPrefix(cells[0], "| ")
		var lines []string
		for _, part := range strings.Split(strings.TrimSuffix(cells[1], " |"), " <br> ") {
			m := span.FindStringSubmatch(strings.TrimSpace(part))
			if m == nil {
				lines = nil // prose: not a row this test runs
				break
			}
			lines = append(lines, strings.ReplaceAll(m[1], "\x00", "|"))
		}
		rows[platform] = lines
	}
	return rows
}

// runLines runs lines with sh -e in a container of image, as root on the
// host's network, then copies /usr/bin/faas-runtime out (nil if absent).
func runLines(t *testing.T, image string, lines []string, env map[string]string, mounts []string) (string, []byte, error) {
	t.Helper()
	out := t.TempDir()
	args := []string{"run", "--rm", "--pull=never", "--network", "host", "-v", out + ":/faas-test-out"}
	for k, v := range env {
		args = append(args, "-e", k+"="+v)
	}
	for _, m := range mounts {
		args = append(args, "-v", m)
	}
	script := "set -e\n" + strings.Join(lines, "\n") + "\ncp /usr/bin/faas-runtime /faas-test-out/\n"
	log, err := exec.Command("podman", append(args, image, "sh", "-c", script)...).CombinedOutput()
	got, rerr := os.ReadFile(filepath.Join(out, "faas-runtime"))
	if rerr != nil {
		got = nil
	}
	return string(log), got, err
}

// publishedAt serves dir as the repository published at the URL it is
// reached by: rpm/faas-runtime.repo names that URL, as `make repo
// --base-url $REPO` writes it (dist/repo's names the published base URL).
func publishedAt(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/"+repo.RPMRepoFile {
			io.WriteString(w, repo.YumRepoFile("http://"+r.Host))
			return
		}
		files.ServeHTTP(w, r)
	})
}

// hostCurl returns podman -v mounts that put the host's curl at
// /usr/local/bin/curl: a wrapper that runs it with the host's loader and
// the libraries ldd lists, copied into one directory.
func hostCurl(t *testing.T) []string {
	t.Helper()
	bin, err := exec.LookPath("curl")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ldd", bin).Output()
	if err != nil {
		t.Fatalf("ldd %s: %v", bin, err)
	}
	dir := t.TempDir()
	containers.CopyFile(t, bin, filepath.Join(dir, "curl"), 0o644)
	loader := ""
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		lib := ""
		switch {
		case len(f) >= 3 && f[1] == "=>" && strings.HasPrefix(f[2], "/"):
			lib = f[2]
		case len(f) >= 1 && strings.HasPrefix(f[0], "/"):
			lib, loader = f[0], filepath.Base(f[0])
		}
		if lib != "" {
			containers.CopyFile(t, lib, filepath.Join(dir, filepath.Base(lib)), 0o644)
			os.Chmod(filepath.Join(dir, filepath.Base(lib)), 0o755) // the loader is run
		}
	}
	if loader == "" {
		t.Fatalf("ldd %s names no loader:\n%s", bin, out)
	}
	wrapper := filepath.Join(t.TempDir(), "curl")
	script := "#!/bin/sh\nexec /opt/faas-host-curl/" + loader + " --library-path /opt/faas-host-curl /opt/faas-host-curl/curl \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return []string{dir + ":/opt/faas-host-curl:ro", wrapper + ":/usr/local/bin/curl:ro"}
}
