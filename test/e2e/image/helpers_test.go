package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// startRegistry runs Debian's docker-registry (the CNCF distribution
// registry) on 127.0.0.1 with storage in a temp dir, stopped by PID.
func startRegistry(t *testing.T) string {
	t.Helper()
	bin := testutil.Need(t, "docker-registry")[0]
	dir := t.TempDir()
	addr := "127.0.0.1:" + testutil.FreePort(t)
	cfg := fmt.Sprintf("version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: %s\n", filepath.Join(dir, "data"), addr)
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	log, _ := os.Create(filepath.Join(dir, "registry.log"))
	cmd := exec.Command(bin, "serve", cfgPath)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		log.Close()
	})
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return addr
			}
		}
		if i > 100 {
			b, _ := os.ReadFile(log.Name())
			t.Fatalf("registry did not start on %s: %v\n%s", addr, err, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// countingProxy sits in front of the registry and records every blob
// upload the registry accepts, by digest.
type countingProxy struct {
	Addr string
	mu   sync.Mutex
	ups  []string
}

func (p *countingProxy) Reset() { p.mu.Lock(); p.ups = nil; p.mu.Unlock() }

func (p *countingProxy) Uploads() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.ups...)
}

func startProxy(t *testing.T, registry string) *countingProxy {
	t.Helper()
	target, _ := url.Parse("http://" + registry)
	rp := httputil.NewSingleHostReverseProxy(target)
	cp := &countingProxy{}
	rp.ModifyResponse = func(resp *http.Response) error {
		r := resp.Request
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/blobs/uploads/") && resp.StatusCode == http.StatusCreated {
			cp.mu.Lock()
			cp.ups = append(cp.ups, r.URL.Query().Get("digest"))
			cp.mu.Unlock()
		}
		return nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: rp}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	cp.Addr = l.Addr().String()
	return cp
}

// startEmulator serves the Runtime API on 127.0.0.1 for a container on the
// host network.
func startEmulator(t *testing.T) (*emulator.Emulator, string) {
	t.Helper()
	em := emulator.New(emulator.Config{Timeout: 30 * time.Second})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: em.Handler()}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return em, l.Addr().String()
}

// cliRun runs the built runtime-init and returns stdout, stderr and the
// exit code.
func cliRun(t *testing.T, bin string, args ...string) (string, string, int) {
	t.Helper()
	return testutil.Run(t, exec.Command(bin, args...))
}

func mustRun(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, errs, code := cliRun(t, bin, args...)
	if code != 0 {
		t.Fatalf("runtime-init %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// digestOf reads the digest column of build's output for arch.
func digestOf(t *testing.T, out, arch string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(line, "\t")
		if len(f) == 3 && f[0] == arch {
			return f[1]
		}
	}
	t.Fatalf("no %s digest in build output:\n%s", arch, out)
	return ""
}

// podmanInvoke runs image with podman on the host network against a fresh
// emulator, invokes it once and returns the response body.
func podmanInvoke(t *testing.T, image, arch string, payload []byte) []byte {
	t.Helper()
	testutil.NeedRoot(t)
	podman := testutil.Need(t, "podman")[0]
	em, api := startEmulator(t)
	name := fmt.Sprintf("faas-e2e-%d", time.Now().UnixNano())
	var logs bytes.Buffer
	cmd := exec.Command(podman, "run", "--rm", "--name", name, "--network", "host", "--pull", "always",
		"--tls-verify=false", "--arch", arch, "-e", "AWS_LAMBDA_RUNTIME_API="+api, image)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	defer func() {
		exec.Command(podman, "rm", "-f", "-t", "0", name).Run()
		<-exited
		exec.Command(podman, "rmi", "-f", image).Run()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	type res struct {
		r   *emulator.Result
		err error
	}
	got := make(chan res, 1)
	go func() {
		r, err := em.Invoke(ctx, payload, emulator.InvokeOptions{})
		got <- res{r, err}
	}()
	select {
	case r := <-got:
		if r.err != nil {
			t.Fatalf("invoke %s: %v\n%s", image, r.err, logs.String())
		}
		if r.r.Failed() {
			t.Fatalf("invoke %s: %s %s\n%s", image, r.r.Outcome, r.r.Body, logs.String())
		}
		return r.r.Body
	case <-exited:
		t.Fatalf("podman run %s exited before the invocation: %v\n%s", image, waitErr, logs.String())
	}
	return nil
}
