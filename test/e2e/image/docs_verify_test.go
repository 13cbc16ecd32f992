package e2e

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/attest"
	"github.com/faas-runtime/faas-runtime/packaging/packages"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// docBlocks returns the commands of the ```sh TAG blocks of a docs page,
// in order.
func docBlocks(t *testing.T, page, tag string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(testutil.RepoRoot(t), page))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !in && strings.TrimSpace(line) == "```sh "+tag:
			in = true
		case in && strings.HasPrefix(line, "```"):
			in = false
		case in && strings.TrimSpace(line) != "":
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no ```sh %s block", page, tag)
	}
	return out
}

// runDoc runs each command in dir with bash, as a user would paste it.
func runDoc(t *testing.T, dir string, env []string, cmds []string, rewrite func(string) string) {
	t.Helper()
	for _, c := range cmds {
		line := c
		if rewrite != nil {
			line = rewrite(c)
		}
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", line)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		o, e, code := testutil.Run(t, cmd)
		if code != 0 {
			t.Fatalf("docs/verify.md: %s\nexit %d\n%s%s", c, code, o, e)
		}
		t.Logf("$ %s\n%.600s", c, o)
	}
}

// TestDocsVerifyCommands runs the commands of docs/verify.md: on a release
// laid out by faas-pkg (deb, amd64 only, to keep it short) and on an image
// pushed by runtime-init build --sign-key to a registry on loopback.
func TestDocsVerifyCommands(t *testing.T) {
	dir := t.TempDir()

	t.Run("release", func(t *testing.T) {
		testutil.Need(t, "gpg", "sha256sum", "git")
		syft := goTools(t, "syft")[0]
		keys, err := signing.Load(func(string) string { return "" }, filepath.Join(dir, "keys"), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "release")
		res, err := packages.Run(context.Background(), packages.Options{Root: testutil.RepoRoot(t), Out: out, Keys: keys,
			SourceDateEpoch: 1700000000, Formats: []string{"deb"}, Arches: []string{"amd64"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := attest.Write(out, res, keys, nil); err != nil {
			t.Fatal(err)
		}
		pub, _ := keys.PublicPGP(true)
		os.WriteFile(filepath.Join(out, "faas-runtime.asc"), pub, 0o644)
		home := t.TempDir()
		runDoc(t, out, []string{"GNUPGHOME=" + home, "SYFT_CHECK_FOR_APP_UPDATE=false", pathWith(syft)}, docBlocks(t, "docs/verify.md", "verify-release"), nil)
	})

	t.Run("image", func(t *testing.T) {
		testutil.Need(t, "docker-registry")
		tools := goTools(t, "syft", "cosign")
		cosign := tools[1]
		cli := testutil.GoBuild(t, dir, "./cmd/runtime-init", "runtime-init")
		rt := testutil.GoBuild(t, dir, "./cmd/faas-runtime", "faas-runtime", "GOARCH=amd64")
		hello := testutil.GoBuild(t, filepath.Join(dir, "fn"), "./examples/hello-go", "hello", "GOARCH=amd64")
		reg := startRegistry(t)
		work := filepath.Join(dir, "user")
		os.MkdirAll(work, 0o755)
		env := []string{"COSIGN_PASSWORD=docs", "SYFT_CHECK_FOR_APP_UPDATE=false", "SYFT_REGISTRY_INSECURE_USE_HTTP=true", pathWith(tools...)}
		cmd := exec.Command(cosign, "generate-key-pair")
		cmd.Dir, cmd.Env = work, append(os.Environ(), env...)
		if o, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("cosign generate-key-pair: %v\n%s", err, o)
		}
		cmd = exec.Command(cli, "build", hello, "--runtime", rt, "--push", reg+"/fn/hello:v1", "--insecure", "--sign-key", "cosign.key")
		cmd.Dir, cmd.Env = work, append(os.Environ(), env...)
		o, e, code := testutil.Run(t, cmd)
		if code != 0 {
			t.Fatalf("build: exit %d\n%s%s", code, o, e)
		}
		image := reg + "/fn/hello@" + digestOf(t, o, "amd64")
		// The registry is plain HTTP: cosign needs the flags the page
		// names for that case.
		insecure := func(c string) string {
			for _, sub := range []string{"cosign verify ", "cosign download sbom ", "cosign tree "} {
				c = strings.Replace(c, sub, sub+"--allow-http-registry --allow-insecure-registry ", 1)
			}
			return c
		}
		runDoc(t, work, append(env, "IMAGE="+image), docBlocks(t, "docs/verify.md", "verify-image"), insecure)
		if b, err := os.ReadFile(filepath.Join(work, "image.spdx.json")); err != nil || !strings.Contains(string(b), `"spdxVersion": "SPDX-2.3"`) {
			t.Errorf("cosign download sbom wrote %.200s (%v)", b, err)
		}
	})
}
