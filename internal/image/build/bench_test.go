package build_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/faas-runtime/faas-runtime/internal/image/build"
	"github.com/faas-runtime/faas-runtime/internal/image/inspect"
	"github.com/faas-runtime/faas-runtime/internal/image/source"
	"github.com/faas-runtime/faas-runtime/internal/image/standin"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

const dockerfile = `FROM scratch
COPY faas-runtime /usr/bin/faas-runtime
COPY hello /var/task/hello
ENV LAMBDA_TASK_ROOT=/var/task FAAS_MODE=exec
WORKDIR /var/task
USER 65532
ENTRYPOINT ["/usr/bin/faas-runtime"]
CMD ["hello"]
`

// BenchmarkBuildVsBuildah times one function image built by the
// runtime-init binary (to an OCI layout) against `buildah bud` of the
// equivalent Dockerfile (into buildah's own store), alternating in the same
// run, and reports the medians and their ratio (target ≤ 0.2).
func BenchmarkBuildVsBuildah(b *testing.B) {
	buildah := testutil.Need(b, "buildah")[0]
	testutil.NeedRoot(b)
	dir := b.TempDir()
	cli := testutil.GoBuild(b, dir, "./cmd/runtime-init", "runtime-init")
	ctx := filepath.Join(dir, "ctx")
	os.MkdirAll(ctx, 0o755)
	testutil.GoBuild(b, ctx, "./cmd/faas-runtime", "faas-runtime")
	// A binary: on scratch a shell script would have no /bin/sh (build refuses it).
	fn := testutil.GoBuild(b, ctx, "./examples/hello-go", "hello")
	os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte(dockerfile), 0o644)
	store := []string{"--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "run")}
	b.Cleanup(func() { exec.Command(buildah, append(store, "rmi", "-a", "-f")...).Run() })

	run := func(name string, args ...string) time.Duration {
		return runEnv(b, nil, name, args...)
	}
	var ours, nocache, theirs []time.Duration
	// A fresh layer cache: the first build below fills it, as a user's
	// first build would; the rest reuse the runtime layer.
	b.Setenv("FAAS_RUNTIME_CACHE_DIR", filepath.Join(dir, "cache"))
	// Warm both once (page cache, buildah's store initialisation).
	run(cli, "build", fn, "--runtime", filepath.Join(ctx, "faas-runtime"), "--oci-layout", filepath.Join(dir, "warm"))
	run(buildah, append(store, "bud", "-q", "-t", "bench:warm", ctx)...)

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < 3; j++ {
			out := filepath.Join(dir, fmt.Sprintf("o-%d-%d", i, j))
			ours = append(ours, run(cli, "build", fn, "--runtime", filepath.Join(ctx, "faas-runtime"), "--oci-layout", out))
			nocache = append(nocache, runEnv(b, []string{"FAAS_RUNTIME_CACHE_DIR=off"}, cli, "build", fn, "--runtime", filepath.Join(ctx, "faas-runtime"), "--oci-layout", out+"-nc"))
			theirs = append(theirs, run(buildah, append(store, "bud", "-q", "-t", fmt.Sprintf("bench:%d-%d", i, j), ctx)...))
		}
	}
	b.StopTimer()
	mo, mn, mt := median(ours), median(nocache), median(theirs)
	b.ReportMetric(float64(mo.Milliseconds()), "runtime-init-ms")
	b.ReportMetric(float64(mn.Milliseconds()), "runtime-init-nocache-ms")
	b.ReportMetric(float64(mt.Milliseconds()), "buildah-bud-ms")
	b.ReportMetric(float64(mo)/float64(mt), "ratio")
	b.ReportMetric(float64(mn)/float64(mt), "ratio-nocache")
}

func runEnv(b *testing.B, env []string, name string, args ...string) time.Duration {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return time.Since(start)
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkImageBytes reports what every function pays on each base: the
// compressed bytes beyond the function layer (base + runtime; target ≤ 4 MB
// for scratch and distroless), at the gzip level build uses and at the
// default level, and the in-process build time for each.
func BenchmarkImageBytes(b *testing.B) {
	dir := b.TempDir()
	rt, err := build.RuntimeFromFile(testutil.GoBuild(b, dir, "./cmd/faas-runtime", "faas-runtime"))
	if err != nil {
		b.Fatal(err)
	}
	fn := filepath.Join(testutil.RepoRoot(b), "examples/echo-sh/handler.sh")
	distroless, err := standin.DistrolessStatic()
	if err != nil {
		b.Fatal(err)
	}
	bases := []struct {
		name string
		img  v1.Image
	}{{"scratch", nil}, {"distroless-static-standin", distroless}}
	for _, base := range bases {
		for _, lvl := range []struct {
			name  string
			level int
		}{{"gzip9", 9}, {"gzip6", 6}} {
			b.Run(base.name+"/"+lvl.name, func(b *testing.B) {
				var img v1.Image
				for i := 0; i < b.N; i++ {
					img, err = build.Image(build.Options{Base: base.img, Arch: "amd64", Runtime: rt.Data, Function: fn, Mode: "exec",
						Created: time.Unix(0, 0), GzipLevel: lvl.level})
					if err != nil {
						b.Fatal(err)
					}
					// Force the layers to be compressed and hashed.
					if _, err := img.Digest(); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				rep, err := inspect.Describe(source.Named{Label: base.name, Image: img})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(rep.BeyondFunction), "base+runtime-B")
				b.ReportMetric(float64(rep.Uncompressed), "uncompressed-B")
			})
		}
	}
}
