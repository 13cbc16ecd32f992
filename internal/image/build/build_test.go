package build

import (
	"archive/tar"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// fakeRuntime is a stand-in for the faas-runtime binary where only the
// bytes matter (ELF detection is tested on real builds in TestELFArch).
var fakeRuntime = []byte("\x7fELF stand-in runtime")

func function(t *testing.T) string {
	dir := t.TempDir()
	p := filepath.Join(dir, "handler.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\ncat\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImageConfigAndLayers(t *testing.T) {
	fn := function(t)
	base, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	base, _ = mutate.Config(base, v1.Config{Env: []string{"PATH=/opt/bin:/bin", "KEEP=1"}})
	img, err := Image(Options{Base: base, BaseName: "random", Arch: "arm64", Runtime: fakeRuntime, Function: fn, Mode: "http", Created: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	c := cf.Config
	if !slices.Equal(c.Entrypoint, []string{RuntimePath}) || !slices.Equal(c.Cmd, []string{"handler.sh"}) || c.WorkingDir != TaskRoot || c.User != DefaultUser {
		t.Errorf("config: %+v", c)
	}
	wantEnv := []string{"PATH=/opt/bin:/bin", "KEEP=1", "LAMBDA_TASK_ROOT=/var/task", "FAAS_MODE=http", "AWS_LWA_PORT=8080"}
	if !slices.Equal(c.Env, wantEnv) {
		t.Errorf("env %v, want %v", c.Env, wantEnv)
	}
	if cf.Architecture != "arm64" || cf.OS != "linux" || cf.Variant != "v8" {
		t.Errorf("platform %s/%s/%s", cf.OS, cf.Architecture, cf.Variant)
	}
	ls, _ := img.Layers()
	bls, _ := base.Layers()
	if len(ls) != 4 || len(cf.History) != 4 {
		t.Fatalf("%d layers, %d history entries, want 4 and 4", len(ls), len(cf.History))
	}
	for i, bl := range bls {
		bd, _ := bl.Digest()
		d, _ := ls[i].Digest()
		if bd != d {
			t.Errorf("base layer %d changed: %s -> %s", i, bd, d)
		}
	}
	if cf.History[2].Comment != CommentRuntime || cf.History[3].Comment != CommentFunction {
		t.Errorf("history %+v", cf.History)
	}
	m, _ := img.Manifest()
	if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON {
		t.Errorf("media types %s %s", m.MediaType, m.Config.MediaType)
	}
	for _, l := range m.Layers {
		if l.MediaType != types.OCILayer {
			t.Errorf("layer media type %s", l.MediaType)
		}
	}
	// The runtime lands at /usr/bin/faas-runtime, 0755, root:root.
	rc, _ := ls[2].Uncompressed()
	defer rc.Close()
	tr := tar.NewReader(rc)
	found := false
	for h, err := tr.Next(); err == nil; h, err = tr.Next() {
		if h.Name == "usr/bin/faas-runtime" {
			found = h.Mode == 0o755 && h.Uid == 0 && h.Gid == 0
		}
	}
	if !found {
		t.Error("runtime layer has no usr/bin/faas-runtime 0755 root:root")
	}
}

func TestSameInputsSameDigest(t *testing.T) {
	fn := function(t)
	o := Options{Arch: "amd64", Runtime: fakeRuntime, Function: fn, Mode: "exec", Created: time.Unix(0, 0)}
	a, err := Image(o)
	if err != nil {
		t.Fatal(err)
	}
	os.Chtimes(fn, time.Now(), time.Now().Add(time.Hour))
	b, _ := Image(o)
	da, _ := a.Digest()
	db, _ := b.Digest()
	if da != db {
		t.Errorf("digests differ: %s %s", da, db)
	}
	o.Created = time.Unix(1700000000, 0)
	c, _ := Image(o)
	if dc, _ := c.Digest(); dc == da {
		t.Error("SOURCE_DATE_EPOCH did not change the digest")
	}
}

func TestCacheGivesSameImage(t *testing.T) {
	fn := function(t)
	o := Options{Arch: "amd64", Runtime: fakeRuntime, Function: fn, Mode: "exec", Created: time.Unix(0, 0)}
	plain, _ := Image(o)
	o.Cache = &Cache{Dir: t.TempDir()}
	cold, err := Image(o)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(o.Cache.Dir)
	if len(entries) != 1 {
		t.Fatalf("cache holds %d entries, want 1", len(entries))
	}
	warm, _ := Image(o)
	dp, _ := plain.Digest()
	dc, _ := cold.Digest()
	dw, _ := warm.Digest()
	if dp != dc || dc != dw {
		t.Errorf("digests: no cache %s, cold %s, warm %s", dp, dc, dw)
	}
}

func TestBadInput(t *testing.T) {
	fn := function(t)
	dir := filepath.Dir(fn)
	nonexec := filepath.Join(dir, "data.txt")
	os.WriteFile(nonexec, []byte("x"), 0o644)
	cases := map[string]Options{
		"no such file":           {Function: filepath.Join(dir, "missing"), Mode: "exec"},
		"want one of":            {Function: fn, Mode: "cgi"},
		"--handler names":        {Function: dir, Mode: "exec"},
		"not found in":           {Function: dir, Handler: "nope.sh", Mode: "exec"},
		"not executable":         {Function: nonexec, Mode: "exec"},
		"Lambda runs amd64":      {Function: fn, Mode: "exec", Arch: "386", Runtime: fakeRuntime},
		"no faas-runtime binary": {Function: fn, Mode: "exec", Arch: "amd64"},
		"want KEY=VALUE":         {Function: fn, Mode: "exec", Arch: "amd64", Runtime: fakeRuntime, Env: []string{"NOEQUALS"}},
	}
	for want, o := range cases {
		if _, err := Image(o); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v", want, err)
		}
	}
}

func TestELFArch(t *testing.T) {
	dir := t.TempDir()
	for _, arch := range []string{"amd64", "arm64"} {
		p := testutil.GoBuild(t, dir, "./cmd/faas-runtime", "faas-runtime-"+arch, "GOARCH="+arch)
		r, err := RuntimeFromFile(p)
		if err != nil || r.Arch != arch {
			t.Errorf("%s: got %q, %v", arch, r.Arch, err)
		}
	}
	if _, err := RuntimeFromFile("/dev/null"); err == nil {
		t.Error("/dev/null accepted as a runtime")
	}
}

var _ = empty.Image
