package repo_test

// The MSYS2 package on Windows, as far as this machine allows: pacman
// installs the UCRT64 package into a root, and its runtime-init.exe runs
// under wine (Debian trixie's wine 10 runs Go 1.26 Windows binaries;
// bookworm's wine 8 cannot) in a cached debootstrap'd trixie root:
// --version, scaffold, invoke and serve with a Windows function.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/packages"
)

func TestMSYS2UnderWine(t *testing.T) {
	testutil.NeedRoot(t)
	testutil.Need(t, "pacman", "chroot", "tar", "go", "mount", "umount")
	pkgs, m := manifest(t)
	name := packages.MSYS2PackageName("runtime-init", "amd64")
	arts := m.Find("msys2", name, "amd64")
	if len(arts) != 1 {
		t.Fatalf("no msys2 package %s", name)
	}
	rootTar := testutil.DebianSuiteRootTar(t, "trixie", "wine64")
	root := t.TempDir()
	run(t, "", nil, "tar", "--numeric-owner", "-C", root, "-xf", rootTar)
	// wine finds itself through /proc/self/exe ("could not load ntdll.so" without it).
	run(t, "", nil, "mount", "-t", "proc", "proc", filepath.Join(root, "proc"))
	wineEnv := []string{"WINEPREFIX=/tmp/wineprefix", "WINEDEBUG=-all", "HOME=/tmp", "DISPLAY="}
	t.Cleanup(func() {
		// wine leaves its server behind: stop it inside the root, then unmount.
		stop := exec.Command("chroot", root, "/usr/lib/wine/wineserver", "-k")
		stop.Env = append(os.Environ(), wineEnv...)
		stop.Run()
		exec.Command("umount", "-l", filepath.Join(root, "proc")).Run()
	})

	// pacman installs the package into /msys64 inside the trixie root.
	msys := filepath.Join(root, "msys64")
	os.MkdirAll(filepath.Join(msys, "var/lib/pacman"), 0o755)
	conf := filepath.Join(t.TempDir(), "pacman.conf")
	os.WriteFile(conf, []byte("[options]\nArchitecture = x86_64\nSigLevel = Never\nDisableSandbox\n"), 0o644)
	run(t, "", nil, "pacman", "--root", msys, "--config", conf, "--dbpath", filepath.Join(msys, "var/lib/pacman"),
		"--cachedir", t.TempDir(), "--noconfirm", "--noprogressbar", "-U", filepath.Join(pkgs, arts[0].Path))
	exe := "/msys64/ucrt64/bin/runtime-init.exe"
	if _, err := os.Stat(filepath.Join(root, exe)); err != nil {
		t.Fatalf("pacman did not install %s: %v", exe, err)
	}
	// A Windows function (examples/hello-go) and its event.
	work := filepath.Join(root, "work")
	os.MkdirAll(work, 0o755)
	run(t, testutil.RepoRoot(t), []string{"GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0"}, "go", "build", "-o", filepath.Join(work, "hello.exe"), "./examples/hello-go")
	os.WriteFile(filepath.Join(work, "ev.json"), []byte(`{"name":"wine"}`), 0o644)

	wine := func(ctx context.Context, args ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, "chroot", append([]string{root, "/usr/lib/wine/wine64", exe}, args...)...)
		cmd.Env = append(os.Environ(), wineEnv...)
		cmd.Dir = "/"
		return cmd
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		cmd := wine(ctx, args...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("wine runtime-init.exe %v: %v\n%s\n%s", args, err, stdout.Bytes(), stderr.Bytes())
		}
		return stdout.String()
	}

	if v := out("--version"); !strings.Contains(v, m.Version) {
		t.Errorf("--version = %q, want %s", v, m.Version)
	}
	key := filepath.Join(work, "test.rsa.pub")
	os.WriteFile(key, readFile(t, filepath.Join(testutil.RepoRoot(t), "internal/scaffold/testdata/keys/faas-runtime.rsa.pub")), 0o644)
	out("scaffold", "--name", "hello", "--base", "alpine", "--mode", "exec", "--lang", "go", "--repo-key", `Z:\work\test.rsa.pub`, `Z:\work\project`)
	for _, f := range []string{"Dockerfile", "main.go", "build.sh"} {
		if _, err := os.Stat(filepath.Join(work, "project", f)); err != nil {
			t.Errorf("scaffold under wine did not write %s", f)
		}
	}
	if got := out("invoke", "--event", `Z:\work\ev.json`, "--", `Z:\work\hello.exe`); !strings.Contains(got, `"message":"Hello, wine!"`) {
		t.Errorf("invoke under wine: %q", got)
	}

	// serve: the Invoke API on loopback, one invocation, then stopped by PID.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var logs bytes.Buffer
	serve := wine(ctx, "serve", "--listen", addr, "--", `Z:\work\hello.exe`)
	serve.Stdout, serve.Stderr = &logs, &logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		serve.Process.Kill() // by PID: chroot execs wine, which runs runtime-init.exe in that process
		serve.Wait()
	}()
	url := fmt.Sprintf("http://%s/2015-03-31/functions/function/invocations", addr)
	var body []byte
	for deadline := time.Now().Add(2 * time.Minute); ; {
		resp, err := http.Post(url, "application/json", strings.NewReader(`{"name":"serve"}`))
		if err == nil {
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve under wine never answered on %s: %v\n%s", addr, err, logs.Bytes())
		}
		time.Sleep(500 * time.Millisecond)
	}
	if !strings.Contains(string(body), `"message":"Hello, serve!"`) {
		t.Errorf("serve under wine answered %q\n%s", body, logs.Bytes())
	}
}
