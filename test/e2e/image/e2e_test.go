// Package e2e tests runtime-init build and inspect end to end: a real
// registry (Debian's docker-registry) on 127.0.0.1, skopeo and umoci reading
// what we wrote, and podman running the pushed images (arm64 through
// qemu-user-static) against the Runtime API emulator on the host.
package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/faas-runtime/faas-runtime/internal/image/inspect"
	"github.com/faas-runtime/faas-runtime/internal/image/standin"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/test/e2e/containers"
)

type tools struct {
	cli          string
	rtAMD, rtARM string
	helloAMD     string
	helloARM     string
}

func buildTools(t *testing.T) tools {
	dir := t.TempDir()
	return tools{
		cli:      testutil.GoBuild(t, dir, "./cmd/runtime-init", "runtime-init"),
		rtAMD:    testutil.GoBuild(t, dir, "./cmd/faas-runtime", "faas-runtime-amd64", "GOARCH=amd64"),
		rtARM:    testutil.GoBuild(t, dir, "./cmd/faas-runtime", "faas-runtime-arm64", "GOARCH=arm64"),
		helloAMD: testutil.GoBuild(t, filepath.Join(dir, "amd64"), "./examples/hello-go", "hello", "GOARCH=amd64"),
		helloARM: testutil.GoBuild(t, filepath.Join(dir, "arm64"), "./examples/hello-go", "hello", "GOARCH=arm64"),
	}
}

func TestRegistryPodmanRoundTrip(t *testing.T) {
	testutil.Need(t, "docker-registry", "skopeo", "podman")
	testutil.NeedRoot(t)
	testutil.LockPodman(t)
	tl := buildTools(t)
	reg := startRegistry(t)
	proxy := startProxy(t, reg)

	// A busybox-static stand-in for a distro base, pushed to the registry so
	// that --base takes a registry reference.
	bb, err := standin.Busybox()
	if err != nil {
		t.Fatal(err)
	}
	baseRef := reg + "/stand-in/busybox:latest"
	if err := remote.Write(must(name.NewTag(baseRef, name.Insecure)), bb); err != nil {
		t.Fatal(err)
	}

	fnDir := t.TempDir()
	handler := filepath.Join(fnDir, "handler.sh")
	containers.CopyFile(t, filepath.Join(testutil.RepoRoot(t), "examples/echo-sh/handler.sh"), handler, 0o755)
	shRef := proxy.Addr + "/fn/echo-sh:v1"
	out := mustRun(t, tl.cli, "build", fnDir, "--handler", "handler.sh", "--base", baseRef, "--runtime", tl.rtAMD, "--push", shRef, "--insecure")
	dig1 := digestOf(t, out, "amd64")

	t.Run("skopeo reads the pushed image", func(t *testing.T) {
		b, err := exec.Command("skopeo", "inspect", "--tls-verify=false", "docker://"+shRef).CombinedOutput()
		if err != nil {
			t.Fatalf("skopeo inspect: %v\n%s", err, b)
		}
		var si struct {
			Digest, Architecture, Os string
			Layers                   []string
			Env                      []string
			Labels                   map[string]string
		}
		if err := json.Unmarshal(b, &si); err != nil {
			t.Fatal(err)
		}
		if si.Digest != dig1 || si.Architecture != "amd64" || si.Os != "linux" || len(si.Layers) != 3 {
			t.Errorf("skopeo: digest %s (want %s) %s/%s, %d layers", si.Digest, dig1, si.Os, si.Architecture, len(si.Layers))
		}
		if !slices.Contains(si.Env, "PATH=/bin") || !slices.Contains(si.Env, "FAAS_MODE=exec") || si.Labels[standin.Label] == "" {
			t.Errorf("skopeo: env %v labels %v", si.Env, si.Labels)
		}
	})

	t.Run("our inspect reads the pushed image", func(t *testing.T) {
		var rep inspect.Report
		if err := json.Unmarshal([]byte(mustRun(t, tl.cli, "inspect", "--json", "--insecure", shRef)), &rep); err != nil {
			t.Fatal(err)
		}
		im := rep.Images[0]
		var roles []string
		for _, l := range im.Layers {
			roles = append(roles, l.Role)
		}
		if im.Digest != dig1 || strings.Join(roles, ",") != "base,runtime,function" || im.User != "65532" ||
			!slices.Equal(im.Entrypoint, []string{"/usr/bin/faas-runtime"}) || !slices.Equal(im.Cmd, []string{"handler.sh"}) {
			t.Errorf("inspect: %+v", im)
		}
		if im.BeyondFunction != im.Compressed-im.Layers[2].Compressed {
			t.Errorf("beyond function %d", im.BeyondFunction)
		}
	})

	t.Run("podman runs it amd64 and it answers an invoke", func(t *testing.T) {
		body := podmanInvoke(t, shRef, "amd64", []byte(`{"hello":"registry"}`))
		if !strings.Contains(string(body), `"event":{"hello":"registry"}`) {
			t.Errorf("response %s", body)
		}
	})

	// --sbom=false: the SBOM (a new blob each time the function changes)
	// would count as an upload; this checks the image's own layers.
	t.Run("rebuild with only the function changed uploads only the function layer", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(fnDir, "VERSION"), []byte("2\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		proxy.Reset()
		out, progress, code := cliRun(t, tl.cli, "build", fnDir, "--handler", "handler.sh", "--base", baseRef, "--runtime", tl.rtAMD, "--push", proxy.Addr+"/fn/echo-sh:v2", "--insecure", "--sbom=false")
		if code != 0 {
			t.Fatalf("rebuild: exit %d\n%s", code, progress)
		}
		if !strings.Contains(progress, "layers 3/3 done (1 uploaded, 2 already in the registry)") {
			t.Errorf("progress on stderr:\n%s", progress)
		}
		img, err := remote.Image(must(name.NewDigest(reg+"/fn/echo-sh@"+digestOf(t, out, "amd64"), name.Insecure)))
		if err != nil {
			t.Fatal(err)
		}
		m, _ := img.Manifest()
		want := []string{m.Layers[2].Digest.String(), m.Config.Digest.String()}
		got := proxy.Uploads()
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("blob uploads %v, want only the function layer and the config %v", got, want)
		}
	})

	t.Run("two arches on scratch: tags -amd64 and -arm64, arm64 runs through qemu", func(t *testing.T) {
		// One function for both arches keeps the test short; only the arm64
		// image is run (the amd64 path ran above).
		ref := reg + "/fn/hello:v1"
		out := mustRun(t, tl.cli, "build", tl.helloARM, "--arch", "amd64,arm64", "--runtime", tl.rtAMD, "--runtime", tl.rtARM, "--push", ref, "--index", "--insecure")
		for _, a := range []string{"amd64", "arm64"} {
			cf, err := must(remote.Image(must(name.NewTag(ref+"-"+a, name.Insecure)))).ConfigFile()
			if err != nil || cf.Architecture != a {
				t.Errorf("%s-%s: %v %v", ref, a, cf, err)
			}
		}
		idx, err := remote.Index(must(name.NewTag(ref, name.Insecure)))
		if err != nil {
			t.Fatalf("--index: %v", err)
		}
		im, _ := idx.IndexManifest()
		if len(im.Manifests) != 2 {
			t.Errorf("index has %d manifests", len(im.Manifests))
		}
		_ = digestOf(t, out, "arm64")
		testutil.NeedArm64(t)
		body := podmanInvoke(t, ref+"-arm64", "arm64", []byte(`{"name":"arm64"}`))
		if !strings.Contains(string(body), "arm64") {
			t.Errorf("arm64 response %s", body)
		}
	})

	t.Run("errors push nothing", func(t *testing.T) {
		before := catalog(t, reg)
		cases := []struct {
			args []string
			want string
		}{
			{[]string{"build", handler, "--base", baseRef, "--runtime", tl.rtAMD, "--push", "127.0.0.1:1/fn/x:v1", "--insecure"}, "registry 127.0.0.1:1 unreachable, nothing pushed"},
			{[]string{"build", handler, "--base", baseRef, "--arch", "arm64", "--runtime", tl.rtARM, "--push", reg + "/fn/noarch:v1", "--insecure"}, "has no linux/arm64 image"},
			{[]string{"build", filepath.Join(fnDir, "missing"), "--runtime", tl.rtAMD, "--push", reg + "/fn/missing:v1", "--insecure"}, "no such file"},
			{[]string{"build", handler, "--base", reg + "/stand-in/nothere:latest", "--runtime", tl.rtAMD, "--push", reg + "/fn/nobase:v1", "--insecure"}, "MANIFEST_UNKNOWN"},
			{[]string{"build", handler, "--runtime", tl.rtARM, "--push", reg + "/fn/wrongrt:v1", "--insecure"}, "no faas-runtime for amd64"},
		}
		for _, c := range cases {
			_, errs, code := cliRun(t, tl.cli, c.args...)
			if code == 0 || !strings.Contains(errs, c.want) {
				t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errs, c.want)
			}
		}
		if after := catalog(t, reg); !slices.Equal(before, after) {
			t.Errorf("repositories changed: %v -> %v", before, after)
		}
	})
}

func catalog(t *testing.T, reg string) []string {
	t.Helper()
	r, err := name.NewRegistry(reg, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	repos, err := remote.Catalog(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	return repos
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
