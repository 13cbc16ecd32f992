package cli_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// scaffoldCLI runs runtime-init scaffold with extra environment and the
// test repository keys (--repo-key, see testKeys); stdin is a pipe, never a
// terminal, so no prompt may appear.
func scaffoldCLI(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	if args[0] == "scaffold" {
		args = append(append([]string{"scaffold"}, keyArgs(t)...), args[1:]...)
	}
	return runtimeInit(t, env, args...)
}

// runtimeInit runs runtime-init as given.
func runtimeInit(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(testutil.Binary(t, "./cmd/runtime-init"), args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader("")
	return testutil.Run(t, cmd)
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

func TestScaffoldDefaultsWithoutTerminal(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "My_Func")
	out, logs, code := scaffoldCLI(t, nil, "scaffold", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, logs)
	}
	if want := "using defaults --base distroless --arch amd64 --mode exec --lang go --name my-func"; !strings.Contains(logs, want) {
		t.Errorf("stderr does not print the defaults %q:\n%s", want, logs)
	}
	files := listFiles(t, dir)
	want := []string{".dockerignore", "Dockerfile", "README.md", "build.sh", "events/event.json", "go.mod", "keys/faas-runtime-archive-keyring.gpg",
		"main.go", "main_test.go", "main.tf", "packages/README.md", "template.yaml"}
	for _, w := range want {
		if !strings.Contains(out, "  "+w+"\n") {
			t.Errorf("stdout does not list %s:\n%s", w, out)
		}
	}
	if len(files) != len(want) {
		t.Errorf("wrote %v, want %v (no temporary files left)", files, want)
	}
	if fi, err := os.Stat(filepath.Join(dir, "build.sh")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("build.sh mode: %v %v", fi, err)
	}
	if df, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); !bytes.Contains(df, []byte("AS lambda-amd64")) {
		t.Errorf("Dockerfile:\n%s", df)
	}
}

func TestScaffoldNeverOverwritesWithoutForce(t *testing.T) {
	dir := t.TempDir()
	mine := map[string]string{"Dockerfile": "FROM mine\n", "main.go": "package mine\n", "notes.txt": "unrelated\n"}
	for n, s := range mine {
		os.WriteFile(filepath.Join(dir, n), []byte(s), 0o644)
	}
	_, logs, code := scaffoldCLI(t, nil, "scaffold", "--name", "fn", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, logs)
	}
	for _, n := range []string{"Dockerfile", "main.go"} {
		if !strings.Contains(logs, "  "+n) {
			t.Errorf("the conflict %s is not listed:\n%s", n, logs)
		}
	}
	if !strings.Contains(logs, "--force") || !strings.Contains(logs, "nothing was written") {
		t.Errorf("message does not explain:\n%s", logs)
	}
	if got := listFiles(t, dir); len(got) != len(mine) {
		t.Errorf("files after a refused scaffold: %v", got)
	}
	for n, s := range mine {
		if b, _ := os.ReadFile(filepath.Join(dir, n)); string(b) != s {
			t.Errorf("%s was changed: %q", n, b)
		}
	}

	_, logs, code = scaffoldCLI(t, nil, "scaffold", "--name", "fn", "--force", dir)
	if code != 0 {
		t.Fatalf("--force: exit %d\n%s", code, logs)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); bytes.Equal(b, []byte(mine["Dockerfile"])) {
		t.Error("--force did not overwrite Dockerfile")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(b) != mine["notes.txt"] {
		t.Error("--force touched a file the scaffold does not write")
	}
}

func TestScaffoldDryRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	out, logs, code := scaffoldCLI(t, nil, "scaffold", dir, "--dry-run", "--base", "alpine", "--arch", "arm64", "--lang", "script", "--name", "fn") // flags after DIR too
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, logs)
	}
	for _, want := range []string{"==> " + filepath.Join(dir, "Dockerfile") + " (0644)", "==> " + filepath.Join(dir, "handler.sh") + " (0755)", "FROM --platform=linux/arm64 ${BASE_IMAGE} AS lambda-arm64", "apk add --no-cache"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q", want)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("--dry-run created %s", dir)
	}
}

// --mode sharedlib on distroless: distroless cc, the glibc runtime, the .so.
func TestScaffoldSharedlibDryRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	out, logs, code := scaffoldCLI(t, nil, "scaffold", dir, "--dry-run", "--base", "distroless", "--arch", "amd64", "--mode", "sharedlib", "--lang", "c", "--name", "fn")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, logs)
	}
	for _, want := range []string{"ARG BASE_IMAGE=gcr.io/distroless/cc-debian12:nonroot", `ENTRYPOINT ["/usr/bin/faas-runtime-sharedlib"]`,
		`CMD ["/var/task/fn.so"]`, "ENV FAAS_MODE=sharedlib", "==> " + filepath.Join(dir, "function.c"), "-shared -fPIC"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q", want)
		}
	}
}

func TestScaffoldBadInputExit2(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--base", "ubuntu"}, `unknown --base "ubuntu": valid values are ubi-minimal, ubi-micro, al2023, alpine, distroless`},
		{[]string{"--arch", "x86_64"}, `unknown --arch "x86_64": valid values are amd64, arm64`},
		{[]string{"--mode", "grpc"}, `unknown --mode "grpc": valid values are exec, http, sharedlib`},
		{[]string{"--lang", "cobol"}, `unknown --lang "cobol": valid values are go, rust, script, prebuilt, c`},
		{[]string{"--name", "Bad_Name"}, `invalid --name "Bad_Name"`},
		{[]string{"--lang", "script", "--base", "distroless"}, "--lang script needs a shell and distroless has none"},
		{[]string{"--lang", "script", "--base", "alpine", "--mode", "http"}, "--lang script cannot serve HTTP"},
		{[]string{"--mode", "sharedlib", "--base", "alpine", "--lang", "c"}, "--mode sharedlib needs a glibc base and alpine has none (musl): faas-runtime-sharedlib and the function library link against glibc. Use --base ubi-minimal, ubi-micro, distroless"},
		{[]string{"--mode", "sharedlib", "--base", "distroless", "--lang", "go"}, "--mode sharedlib cannot host Go"},
		{[]string{"--mode", "sharedlib", "--base", "ubi-micro", "--lang", "script"}, "a script is not one"},
		{[]string{"--mode", "sharedlib", "--base", "distroless", "--lang", "c", "--image", "BASE_IMAGE=gcr.io/distroless/static-debian12"}, "distroless static has none"},
		{[]string{"--mode", "exec", "--lang", "c"}, "--lang c is scaffolded for --mode sharedlib only"},
		{[]string{"--image", "FOO_IMAGE=x:1"}, `unknown --image "FOO_IMAGE": valid values are BASE_IMAGE, UBI_IMAGE, DEBIAN_IMAGE, GOLANG_IMAGE, RUST_IMAGE`},
		{[]string{"--image", "RUST_IMAGE=r:1"}, "--image RUST_IMAGE: this project's Dockerfile has no RUST_IMAGE"},
		{[]string{"--image", "BASE_IMAGE"}, "want ARG=REF"},
		{[]string{"a", "b"}, "scaffold takes one directory"},
	} {
		dir := filepath.Join(t.TempDir(), "p")
		args := append([]string{"scaffold", "--name", "fn"}, c.args...)
		if c.args[0] != "a" {
			args = append(args, dir)
		}
		_, logs, code := scaffoldCLI(t, nil, args...)
		if code != 2 || !strings.Contains(logs, c.want) {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant exit 2 and %q", c.args, code, logs, c.want)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%v: bad input created %s", c.args, dir)
		}
	}
}

// With no way to reach a registry, --pin fails with a clear message and
// writes nothing. The proxy settings point at a closed port, so this is
// the same on any machine.
func TestScaffoldPinOffline(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	closed := "http://127.0.0.1:" + testutil.FreePort(t)
	_, logs, code := scaffoldCLI(t, []string{"HTTPS_PROXY=" + closed, "HTTP_PROXY=" + closed, "NO_PROXY=", "https_proxy=", "http_proxy=", "no_proxy="},
		"scaffold", "--pin", "--name", "fn", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, logs)
	}
	for _, want := range []string{"--pin: cannot resolve", "is the registry reachable?", "nothing was written"} {
		if !strings.Contains(logs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, logs)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a failed --pin created %s", dir)
	}
}

// --pin against a real registry (Debian's docker-registry on 127.0.0.1):
// the Dockerfile names each image as tag@digest, the digest the registry
// reports for what was pushed.
func TestScaffoldPinAgainstRegistry(t *testing.T) {
	bin := testutil.Need(t, "docker-registry")[0]
	addr := "127.0.0.1:" + testutil.FreePort(t)
	rdir := t.TempDir()
	cfg := fmt.Sprintf("version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n", filepath.Join(rdir, "data"), addr)
	os.WriteFile(filepath.Join(rdir, "config.yml"), []byte(cfg), 0o644)
	reg := exec.Command(bin, "serve", filepath.Join(rdir, "config.yml"))
	var regLog bytes.Buffer
	reg.Stdout, reg.Stderr = &regLog, &regLog
	if err := reg.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Process.Kill(); reg.Wait() })
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i > 100 {
			t.Fatalf("registry did not start: %v\n%s", err, regLog.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	digests := map[string]string{}
	for _, repo := range []string{"distroless/static-debian12:nonroot", "library/debian:12-slim"} {
		ref, err := name.ParseReference(addr + "/" + repo)
		if err != nil {
			t.Fatal(err)
		}
		img, err := random.Image(256, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(ref, img); err != nil {
			t.Fatal(err)
		}
		d, _ := img.Digest()
		digests[addr+"/"+repo] = d.String()
	}
	dir := filepath.Join(t.TempDir(), "p")
	_, logs, code := scaffoldCLI(t, nil, "scaffold", "--pin", "--name", "fn", "--lang", "prebuilt",
		"--image", "BASE_IMAGE="+addr+"/distroless/static-debian12:nonroot",
		"--image", "DEBIAN_IMAGE="+addr+"/library/debian:12-slim", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, logs)
	}
	df, _ := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	for arg, repo := range map[string]string{"BASE_IMAGE": "distroless/static-debian12:nonroot", "DEBIAN_IMAGE": "library/debian:12-slim"} {
		ref := addr + "/" + repo
		want := "ARG " + arg + "=" + ref + "@" + digests[ref] + "\n"
		if !bytes.Contains(df, []byte(want)) {
			t.Errorf("Dockerfile lacks %q:\n%s", want, df)
		}
	}
}
