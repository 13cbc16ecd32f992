//go:build !windows

// packaging/repo links go-apk, which does not build for Windows; these
// tests read real packages on Linux.

package scaffold_test

import (
	"os/exec"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/scaffold"
	"github.com/faas-runtime/faas-runtime/internal/scaffold/trust"
	"github.com/faas-runtime/faas-runtime/packaging/repo"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// (An external test package: packaging imports the CLI, which imports scaffold.)

// The Dockerfiles spell out the repository's layout (the .repo file, the
// apt source, the apk repository) and the key files' names; packaging/repo
// and packaging/signing are the source of truth for them. Each shell snippet
// is run with sh and compared. The keys are pinned: the .repo file names
// the copied key with file://, and nothing is downloaded but packages.
func TestTemplatesMatchRepositoryLayout(t *testing.T) {
	const url = "https://mirror.example.com/faas"
	sh := func(script string) string {
		out, err := exec.Command("sh", "-c", script, "sh").Output()
		if err != nil {
			t.Fatalf("sh -c %q: %v", script, err)
		}
		return string(out)
	}
	printfRE := regexp.MustCompile(`printf ('[^']*') \\\n\s+"\$FAAS_REPO_URL" >`)
	aptLineRE := regexp.MustCompile(`echo ("deb \[[^"]+")`)
	apkRE := regexp.MustCompile(`apk add --no-cache --repository "\$FAAS_REPO_URL/([^"]+)"`)
	copyRE := regexp.MustCompile(`(?m)^COPY (keys/\S+) (\S+)$`)

	if trust.RPMKeyName != path.Base(repo.RPMKey) || trust.DebKeyringName != path.Base(repo.DebKeyring) || trust.DefaultAPKKeyName != signing.DefaultAPKKeyName {
		t.Fatalf("key file names differ from the repository's: %s %s %s", repo.RPMKey, repo.DebKeyring, signing.DefaultAPKKeyName)
	}
	keys, err := trust.FromFiles([]string{"testdata/keys/" + trust.RPMKeyName, "testdata/keys/" + trust.DefaultAPKKeyName})
	if err != nil {
		t.Fatal(err)
	}
	// The Dockerfile writes the repository's own .repo file, which names
	// the pinned copy in /etc/pki/rpm-gpg.
	const pinned = "/etc/pki/rpm-gpg/RPM-GPG-KEY-faas-runtime"
	wantRepo := repo.YumRepoFile(url)
	if !strings.Contains(wantRepo, "gpgkey=file://"+pinned+"\n") {
		t.Fatalf("repo.YumRepoFile does not pin the key at %s:\n%s", pinned, wantRepo)
	}

	for _, o := range scaffold.Combinations() {
		o.Keys = keys
		files, err := scaffold.Render(o)
		if err != nil {
			t.Fatal(err)
		}
		var df string
		for _, f := range files {
			if f.Path == "Dockerfile" {
				df = string(f.Data)
			}
		}
		copies := map[string]string{} // keys/ file -> where it goes
		for _, m := range copyRE.FindAllStringSubmatch(df, -1) {
			copies[m[2]] = m[1]
		}
		for _, bad := range []string{"wget", "curl", "download-file", "gpgkey=http"} {
			if strings.Contains(df, bad) {
				t.Errorf("%+v: the Dockerfile downloads something (%s)", o, bad)
			}
		}
		switch o.Base {
		case "ubi-minimal", "ubi-micro":
			m := printfRE.FindStringSubmatch(df)
			if m == nil {
				t.Fatalf("%+v: no .repo printf", o)
			}
			if got := sh("FAAS_REPO_URL=" + url + "; printf " + m[1] + ` "$FAAS_REPO_URL"`); got != wantRepo {
				t.Errorf("%+v: .repo file\n%s\nwant\n%s", o, got, wantRepo)
			}
			if copies[pinned] != "keys/"+trust.RPMKeyName {
				t.Errorf("%+v: %s is not copied from keys/: %v", o, pinned, copies)
			}
		case "distroless":
			l := aptLineRE.FindStringSubmatch(df)
			if l == nil {
				t.Fatalf("%+v: no apt source", o)
			}
			if got := sh("FAAS_REPO_URL=" + url + "; echo " + l[1]); got != repo.AptSourcesLine(url) {
				t.Errorf("%+v: apt source %q, want %q", o, got, repo.AptSourcesLine(url))
			}
			if k := "/etc/apt/keyrings/" + path.Base(repo.DebKeyring); copies[k] != "keys/"+path.Base(repo.DebKeyring) || !strings.Contains(l[1], "signed-by="+k) {
				t.Errorf("%+v: signed-by's keyring is not copied from keys/: %v", o, copies)
			}
		case "alpine":
			m := apkRE.FindStringSubmatch(df)
			if m == nil || url+"/"+m[1] != repo.ApkRepository(url) {
				t.Fatalf("%+v: apk repository %v, want %s", o, m, repo.ApkRepository(url))
			}
			if k := "/etc/apk/keys/" + signing.DefaultAPKKeyName; copies[k] != "keys/"+signing.DefaultAPKKeyName {
				t.Errorf("%+v: %s is not copied from keys/: %v", o, k, copies)
			}
		}
	}
	if !strings.HasPrefix(scaffold.DefaultRepoURL, "https://") {
		t.Errorf("DefaultRepoURL %s is not https", scaffold.DefaultRepoURL)
	}
}
