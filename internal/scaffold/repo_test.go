package scaffold_test

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/scaffold"
	"github.com/faas-runtime/faas-runtime/packaging/repo"
)

// (An external test package: packaging imports the CLI, which imports scaffold.)

// The Dockerfiles spell out the repository's layout (the .repo file, the
// apt source and key, the apk repository and key); packaging/repo is the
// source of truth for it. Each shell snippet is run with sh and compared.
func TestTemplatesMatchRepositoryLayout(t *testing.T) {
	const url = "https://mirror.example.com/faas"
	sh := func(script string) string {
		out, err := exec.Command("sh", "-c", script, "sh").Output()
		if err != nil {
			t.Fatalf("sh -c %q: %v", script, err)
		}
		return string(out)
	}
	printfRE := regexp.MustCompile(`printf ('[^']*') \\\n\s+"\$FAAS_REPO_URL" "\$FAAS_REPO_URL" >`)
	aptKeyRE := regexp.MustCompile(`download-file "\$FAAS_REPO_URL/([^"]+)" \\\n\s+(\S+);`)
	aptLineRE := regexp.MustCompile(`echo ("deb \[[^"]+")`)
	apkRE := regexp.MustCompile(`wget -q -O (\S+) "\$FAAS_REPO_URL/([^"]+)";[^\n]*\n\s+apk add --no-cache --repository "\$FAAS_REPO_URL/([^"]+)"`)

	for _, o := range scaffold.Combinations() {
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
		switch o.Base {
		case "ubi-minimal", "ubi-micro":
			m := printfRE.FindStringSubmatch(df)
			if m == nil {
				t.Fatalf("%+v: no .repo printf", o)
			}
			if got := sh("FAAS_REPO_URL=" + url + "; printf " + m[1] + ` "$FAAS_REPO_URL" "$FAAS_REPO_URL"`); got != repo.YumRepoFile(url) {
				t.Errorf("%+v: .repo file\n%s\nwant\n%s", o, got, repo.YumRepoFile(url))
			}
		case "distroless":
			k := aptKeyRE.FindStringSubmatch(df)
			l := aptLineRE.FindStringSubmatch(df)
			if k == nil || l == nil {
				t.Fatalf("%+v: no apt key or source", o)
			}
			if k[1] != repo.DebKeyring || k[2] != "/etc/apt/keyrings/faas-runtime-archive-keyring.gpg" {
				t.Errorf("%+v: apt key %s -> %s", o, k[1], k[2])
			}
			if got := sh("FAAS_REPO_URL=" + url + "; echo " + l[1]); got != repo.AptSourcesLine(url) {
				t.Errorf("%+v: apt source %q, want %q", o, got, repo.AptSourcesLine(url))
			}
		case "alpine":
			m := apkRE.FindStringSubmatch(df)
			if m == nil {
				t.Fatalf("%+v: no apk key and repository", o)
			}
			if m[1] != "/etc/apk/keys/faas-runtime.rsa.pub" || m[2] != repo.AlpineDir+"/faas-runtime.rsa.pub" ||
				url+"/"+m[3] != repo.ApkRepository(url) {
				t.Errorf("%+v: apk key %s from %s, repository %s", o, m[1], m[2], m[3])
			}
		}
	}
	if !strings.HasPrefix(scaffold.DefaultRepoURL, "https://") {
		t.Errorf("DefaultRepoURL %s is not https", scaffold.DefaultRepoURL)
	}
}
