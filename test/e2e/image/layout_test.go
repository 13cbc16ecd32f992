package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/image/inspect"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// Same inputs twice give the same digest, and the OCI layout is one that
// umoci and skopeo read.
func TestLayoutReproducibleAndReadable(t *testing.T) {
	umoci, skopeo := testutil.Need(t, "umoci")[0], testutil.Need(t, "skopeo")[0]
	dir := t.TempDir()
	cli := testutil.GoBuild(t, dir, "./cmd/runtime-init", "runtime-init")
	rt := testutil.GoBuild(t, dir, "./cmd/faas-runtime", "faas-runtime")
	fn := testutil.GoBuild(t, dir, "./examples/hello-go", "hello") // a script would need a base with its interpreter
	a := mustRun(t, cli, "build", fn, "--runtime", rt, "--oci-layout", filepath.Join(dir, "a"))
	b := mustRun(t, cli, "build", fn, "--runtime", rt, "--oci-layout", filepath.Join(dir, "b"))
	if da, db := digestOf(t, a, "amd64"), digestOf(t, b, "amd64"); da != db {
		t.Errorf("same inputs, different digests: %s %s", da, db)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	c := mustRun(t, cli, "build", fn, "--runtime", rt, "--oci-layout", filepath.Join(dir, "c"))
	if digestOf(t, c, "amd64") == digestOf(t, a, "amd64") {
		t.Error("SOURCE_DATE_EPOCH did not change the digest")
	}
	os.Unsetenv("SOURCE_DATE_EPOCH")

	out, err := exec.Command(umoci, "stat", "--image", filepath.Join(dir, "a")+":latest").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "faas-runtime: function layer") {
		t.Errorf("umoci stat: %v\n%s", err, out)
	}
	out, err = exec.Command(skopeo, "inspect", "oci:"+filepath.Join(dir, "a")+":latest").CombinedOutput()
	if err != nil || !strings.Contains(string(out), digestOf(t, a, "amd64")) {
		t.Errorf("skopeo inspect oci: %v\n%s", err, out)
	}

	// Two arches with --index: index.json names one OCI index of both.
	rtARM := testutil.GoBuild(t, filepath.Join(dir, "arm64"), "./cmd/faas-runtime", "faas-runtime", "GOARCH=arm64")
	mustRun(t, cli, "build", fn, "--arch", "amd64,arm64", "--runtime", rt, "--runtime", rtARM, "--index", "--oci-layout", filepath.Join(dir, "idx"))
	out, err = exec.Command(skopeo, "inspect", "--raw", "oci:"+filepath.Join(dir, "idx")+":latest").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "application/vnd.oci.image.index.v1+json") || strings.Count(string(out), `"architecture"`) != 2 {
		t.Errorf("skopeo inspect --raw of the index: %v\n%s", err, out)
	}
	var idxRep inspect.Report
	if err := json.Unmarshal([]byte(mustRun(t, cli, "inspect", "--json", "oci-layout:"+filepath.Join(dir, "idx"))), &idxRep); err != nil || len(idxRep.Images) != 2 {
		t.Errorf("inspect of the index layout: %v %+v", err, idxRep.Images)
	}

	// Nothing overwritten without --force; with it, replaced.
	if _, errs, code := cliRun(t, cli, "build", fn, "--runtime", rt, "--oci-layout", filepath.Join(dir, "a")); code == 0 || !strings.Contains(errs, "--force") {
		t.Errorf("overwrite without --force: exit %d %s", code, errs)
	}
	mustRun(t, cli, "build", fn, "--runtime", rt, "--oci-layout", filepath.Join(dir, "a"), "--force", "--mode", "exec")

	// Exit 2 for bad input.
	for _, args := range [][]string{
		{"build", fn, "--runtime", rt},
		{"build", fn, "--runtime", rt, "--oci-layout", dir + "/x", "--tarball", dir + "/x.tar"},
		{"build", fn, "--runtime", rt, "--oci-layout", dir + "/x", "--arch", "s390x"},
		{"build", fn, "--runtime", rt, "--oci-layout", dir + "/x", "--mode", "cgi"},
		{"inspect"},
	} {
		if _, _, code := cliRun(t, cli, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if _, err := os.Stat(dir + "/x"); err == nil {
		t.Error("a failed build left output behind")
	}

	// The tarball output, and inspect's shared-layer report across outputs.
	mustRun(t, cli, "build", filepath.Join(testutil.RepoRoot(t), "examples/hello-go/main.go"), "--handler", "main.go", "--mode", "http", "--runtime", rt, "--tarball", dir+"/t.tar")
	var rep inspect.Report
	if err := json.Unmarshal([]byte(mustRun(t, cli, "inspect", "--json", "oci-layout:"+dir+"/a", "tarball:"+dir+"/t.tar")), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Images) != 2 || len(rep.Shared) != 1 || rep.Shared[0].CreatedBy != "runtime-init build: COPY faas-runtime /usr/bin/faas-runtime" {
		t.Fatalf("shared layers: %+v", rep.Shared)
	}
	for _, im := range rep.Images {
		if im.Unique != im.Compressed-rep.Shared[0].Compressed {
			t.Errorf("%s: unique %d, total %d, shared %d", im.Ref, im.Unique, im.Compressed, rep.Shared[0].Compressed)
		}
	}
	text := mustRun(t, cli, "inspect", "oci-layout:"+dir+"/a", "tarball:"+dir+"/t.tar")
	for _, want := range []string{"SHARED LAYER", "BEYOND SHARED", "beyond the function", `cmd ["main.go"]`} {
		if !strings.Contains(text, want) {
			t.Errorf("inspect text lacks %q:\n%s", want, text)
		}
	}
}

// scripts/image-sizes.sh prints the size table with the offline bases and, for
// each remote base, either its sizes or "unreachable, skipped"; for arm64
// too, where the busybox stand-in (the host's busybox-static) has none.
func TestImageSizesTable(t *testing.T) {
	testutil.Slow(t, "image-sizes.sh builds or loads the installer stand-ins (minutes cold)")
	testutil.Need(t, "jq", "bash", "curl")
	dir := t.TempDir()
	runtimeInit := testutil.GoBuild(t, dir, "./cmd/runtime-init", "runtime-init")
	faasRuntime := testutil.GoBuild(t, dir, "./cmd/faas-runtime", "faas-runtime")
	for _, arch := range []string{"amd64", "arm64"} {
		t.Run(arch, func(t *testing.T) {
			cmd := exec.Command("bash", "scripts/image-sizes.sh", "--arch", arch)
			cmd.Dir = testutil.RepoRoot(t)
			cmd.Env = append(os.Environ(), "RUNTIME_INIT="+runtimeInit, "FAAS_RUNTIME="+faasRuntime)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("image-sizes.sh --arch %s: %v\n%s", arch, err, out)
			}
			if !strings.Contains(string(out), "on linux/"+arch+" ") {
				t.Errorf("the table is not for linux/%s:\n%s", arch, out)
			}
			rows := map[string]string{}
			for _, line := range strings.Split(string(out), "\n") {
				if f := strings.Split(line, "|"); len(f) >= 4 {
					rows[strings.TrimSpace(f[1])] = strings.Join(f[2:], "|")
				}
			}
			sized := func(base string) {
				t.Helper()
				if f := strings.Fields(strings.ReplaceAll(rows[base], "|", " ")); len(f) != 3 || f[0] == "0" {
					t.Errorf("row %q: %q\n%s", base, rows[base], out)
				}
			}
			sized("scratch")
			sized("distroless static (local stand-in)")
			if arch == runtime.GOARCH {
				sized("busybox-static (local stand-in)")
			} else if !strings.Contains(rows["busybox-static (local stand-in)"], runtime.GOARCH+" only") {
				t.Errorf("row busybox-static (local stand-in): %q, want why it is missing\n%s", rows["busybox-static (local stand-in)"], out)
			}
			for _, remote := range []string{"ubi-minimal", "ubi-micro", "alpine", "distroless static (gcr", "AWS provided:al2023"} {
				found := false
				for k, v := range rows {
					if strings.HasPrefix(k, remote) {
						found = true
						if !strings.Contains(v, "unreachable, skipped") && len(strings.Fields(strings.ReplaceAll(v, "|", " "))) != 3 {
							t.Errorf("row %q: %q", k, v)
						}
					}
				}
				if !found {
					t.Errorf("no row for %s\n%s", remote, out)
				}
			}
			// As root, the installer stand-ins (scripts/standin-bases.sh) have rows.
			if os.Geteuid() == 0 {
				for _, base := range []string{"ubi-minimal stand-in (microdnf on a Debian root)", "ubi-micro stand-in (bash + Debian glibc)",
					"alpine stand-in (apk 2, busybox, Debian glibc)", "alpine stand-in (apk 3, busybox, Debian glibc)"} {
					sized(base)
				}
			}
		})
	}
}
