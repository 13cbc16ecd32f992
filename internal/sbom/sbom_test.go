package sbom

import (
	"archive/zip"
	"bytes"
	"debug/buildinfo"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/apk"
	_ "github.com/goreleaser/nfpm/v2/arch"
	_ "github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
	_ "github.com/goreleaser/nfpm/v2/rpm"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/xeipuuv/gojsonschema"

	"github.com/faas-runtime/faas-runtime/internal/image/build"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

var opts = Options{Created: time.Unix(1700000000, 0), Tool: "faas-runtime-test"}

// binDir keeps the binaries the tests share (built once).
var binDir string

func TestMain(m *testing.M) {
	binDir, _ = os.MkdirTemp("", "sbom-test-")
	code := m.Run()
	os.RemoveAll(binDir)
	os.Exit(code)
}

// goBinary builds pkg once: faas-runtime (standard library only) for the
// images, runtime-init (many modules) where modules matter.
func goBinary(t *testing.T, pkg string) (string, []byte) {
	t.Helper()
	p := filepath.Join(binDir, filepath.Base(pkg))
	if _, err := os.Stat(p); err != nil {
		testutil.GoBuild(t, binDir, pkg, filepath.Base(pkg), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return p, data
}

func runtimeBinary(t *testing.T) (string, []byte) { return goBinary(t, "./cmd/faas-runtime") }
func cliBinary(t *testing.T) (string, []byte)     { return goBinary(t, "./cmd/runtime-init") }

// roundTrip writes the document, reads it back with the library and
// validates it: what a consumer of the file sees.
func roundTrip(t *testing.T, d *spdx.Document) ([]byte, *spdx.Document) {
	t.Helper()
	raw, err := Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the library cannot read what it wrote: %v\n%s", err, raw)
	}
	if err := Validate(back); err != nil {
		t.Fatalf("invalid after a round trip: %v", err)
	}
	if back.SPDXVersion != "SPDX-2.3" || back.CreationInfo.Created != "2023-11-14T22:13:20Z" {
		t.Errorf("version %s created %s", back.SPDXVersion, back.CreationInfo.Created)
	}
	return raw, back
}

func purlOf(p *spdx.Package) string {
	for _, r := range p.PackageExternalReferences {
		if r.RefType == "purl" {
			return r.Locator
		}
	}
	return ""
}

// modulesOf maps purl to SHA256 for every Go module package.
func modulesOf(d *spdx.Document) map[string]string {
	out := map[string]string{}
	for _, p := range d.Packages {
		if u := purlOf(p); strings.HasPrefix(u, "pkg:golang/") {
			sum := ""
			for _, c := range p.PackageChecksums {
				if c.Algorithm == common.SHA256 {
					sum = c.Value
				}
			}
			out[u] = sum
		}
	}
	return out
}

func TestBinaryHasEveryModuleOfTheBuildInfo(t *testing.T) {
	p, data := cliBinary(t)
	d, err := Binary(p, data, opts)
	if err != nil {
		t.Fatal(err)
	}
	raw, back := roundTrip(t, d)
	bi, err := buildinfo.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	mods := modulesOf(back)
	if len(bi.Deps) == 0 {
		t.Fatal("faas-runtime has no dependencies? the test would prove nothing")
	}
	for _, dep := range bi.Deps {
		u := "pkg:golang/" + dep.Path + "@" + strings.ReplaceAll(dep.Version, "+", "%2B")
		sum, ok := mods[u]
		if !ok || len(sum) != 64 {
			t.Errorf("%s: missing or without a SHA256 (%q)", u, sum)
		}
	}
	if _, ok := mods["pkg:golang/stdlib@"+strings.TrimPrefix(bi.GoVersion, "go")]; !ok {
		t.Errorf("no stdlib %s in %v", bi.GoVersion, mods)
	}
	if _, ok := mods["pkg:golang/"+bi.Main.Path]; !ok {
		t.Errorf("no main module %s in %v", bi.Main.Path, mods)
	}
	if len(mods) != len(bi.Deps)+2 {
		t.Errorf("%d module packages for %d deps + main + stdlib", len(mods), len(bi.Deps))
	}
	if back.Packages[0].PackageName != "runtime-init" || back.Packages[0].PackageChecksums[0].Value != sha256Hex(data) {
		t.Errorf("root package %+v", back.Packages[0])
	}
	again, _ := Binary(p, data, opts)
	raw2, _ := Marshal(again)
	if !bytes.Equal(raw, raw2) {
		t.Error("two SBOMs of one binary differ")
	}
}

func TestBinaryRefusesWhatIsNotAGoBinary(t *testing.T) {
	_, err := Binary("notes.txt", []byte("hello"), opts)
	if err == nil || !strings.Contains(err.Error(), "not a Go binary") {
		t.Fatalf("err = %v", err)
	}
}

func TestPackagesOfEveryFormat(t *testing.T) {
	p, data := cliBinary(t)
	dir := t.TempDir()
	readme := filepath.Join(dir, "README.md")
	os.WriteFile(readme, []byte("# faas-runtime\n"), 0o644)
	for _, format := range []string{"deb", "rpm", "apk", "archlinux"} {
		t.Run(format, func(t *testing.T) {
			info := &nfpm.Info{Name: "faas-runtime", Arch: "amd64", Platform: "linux", Version: "1.2.3", Release: "1",
				Maintainer: "t <t@example.com>", Description: "test", License: "MIT", MTime: opts.Created,
				Overridables: nfpm.Overridables{Contents: files.Contents{
					{Source: p, Destination: "/usr/bin/faas-runtime", FileInfo: &files.ContentFileInfo{Mode: 0o755, MTime: opts.Created}},
					{Source: readme, Destination: "/usr/share/doc/faas-runtime/README.md", FileInfo: &files.ContentFileInfo{Mode: 0o644, MTime: opts.Created}},
				}}}
			nfpm.WithDefaults(info)
			if err := nfpm.PrepareForPackager(info, format); err != nil {
				t.Fatal(err)
			}
			pk, err := nfpm.Get(format)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, pk.ConventionalFileName(info))
			var buf bytes.Buffer
			if err := pk.Package(info, &buf); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(file, buf.Bytes(), 0o644)

			d, err := Package(file, opts)
			if err != nil {
				t.Fatal(err)
			}
			_, back := roundTrip(t, d)
			root := back.Packages[0]
			if root.PackageName != "faas-runtime" || !strings.HasPrefix(root.PackageVersion, "1.2.3") || root.PackageVerificationCode == nil {
				t.Errorf("root %s %s %v", root.PackageName, root.PackageVersion, root.PackageVerificationCode)
			}
			wantPURL := map[string]string{"deb": "pkg:deb/", "rpm": "pkg:rpm/", "apk": "pkg:apk/", "archlinux": "pkg:alpm/"}[format]
			if !strings.HasPrefix(purlOf(root), wantPURL) {
				t.Errorf("purl %s", purlOf(root))
			}
			got := map[string]string{}
			for _, f := range back.Files {
				got[f.FileName] = f.Checksums[1].Value
			}
			if got["/usr/bin/faas-runtime"] != sha256Hex(data) || got["/usr/share/doc/faas-runtime/README.md"] != sha256Hex([]byte("# faas-runtime\n")) {
				t.Errorf("files %v", got)
			}
			for name := range got {
				if strings.HasPrefix(filepath.Base(name), ".PKGINFO") || strings.HasPrefix(filepath.Base(name), ".SIGN") {
					t.Errorf("package metadata %s listed as a file", name)
				}
			}
			bi, _ := buildinfo.Read(bytes.NewReader(data))
			if mods := modulesOf(back); len(mods) != len(bi.Deps)+2 {
				t.Errorf("%d Go modules of the binary inside, want %d", len(mods), len(bi.Deps)+2)
			}
		})
	}
}

func TestZipLayer(t *testing.T) {
	_, data := runtimeBinary(t)
	file := filepath.Join(t.TempDir(), "faas-runtime-layer-1.2.3-x86_64.zip")
	f, _ := os.Create(file)
	zw := zip.NewWriter(f)
	w, _ := zw.Create("bootstrap")
	w.Write(data)
	zw.Close()
	f.Close()
	o := opts
	o.Version = "1.2.3"
	d, err := Package(file, o)
	if err != nil {
		t.Fatal(err)
	}
	_, back := roundTrip(t, d)
	if purlOf(back.Packages[0]) != "pkg:generic/faas-runtime-layer-1.2.3-x86_64@1.2.3" || len(back.Files) != 1 ||
		back.Files[0].FileName != "/bootstrap" || back.Files[0].Checksums[1].Value != sha256Hex(data) {
		t.Errorf("zip: %s %+v", purlOf(back.Packages[0]), back.Files)
	}
	if _, ok := modulesOf(back)["pkg:golang/stdlib@"+strings.TrimPrefix(runtimeGoVersion(t, data), "go")]; !ok {
		t.Errorf("no Go modules of the bootstrap: %v", modulesOf(back))
	}
}

func runtimeGoVersion(t *testing.T, data []byte) string {
	bi, err := buildinfo.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return bi.GoVersion
}

func TestImageListsBaseLayersRuntimeModulesAndFunctionFiles(t *testing.T) {
	_, data := runtimeBinary(t)
	fn := t.TempDir()
	os.WriteFile(filepath.Join(fn, "handler.sh"), []byte("#!/bin/sh\necho hi\n"), 0o755)
	os.MkdirAll(filepath.Join(fn, "lib"), 0o755)
	os.WriteFile(filepath.Join(fn, "lib", "data.json"), []byte(`{"a":1}`), 0o644)
	o := build.Options{Arch: "amd64", Runtime: data, Function: fn, Handler: "handler.sh", Mode: "exec", Created: opts.Created}
	img, err := build.Image(o)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Image(img, "127.0.0.1:5000/fn/echo", opts)
	if err != nil {
		t.Fatal(err)
	}
	raw, back := roundTrip(t, d)
	dig, _ := img.Digest()
	if back.Packages[0].PackageVersion != dig.String() || !strings.HasPrefix(purlOf(back.Packages[0]), "pkg:oci/echo@sha256%3A") {
		t.Errorf("image package %+v %s", back.Packages[0], purlOf(back.Packages[0]))
	}
	got := map[string]string{}
	for _, f := range back.Files {
		got[f.FileName] = f.Checksums[1].Value
	}
	want := map[string]string{
		"/usr/bin/faas-runtime":   sha256Hex(data),
		"/var/task/handler.sh":    sha256Hex([]byte("#!/bin/sh\necho hi\n")),
		"/var/task/lib/data.json": sha256Hex([]byte(`{"a":1}`)),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("files %v", got)
	}
	bi, _ := buildinfo.Read(bytes.NewReader(data))
	if mods := modulesOf(back); len(mods) != len(bi.Deps)+2 {
		t.Errorf("runtime modules: %v, want main, stdlib and %d deps", mods, len(bi.Deps))
	} else if _, ok := mods["pkg:golang/"+bi.Main.Path]; !ok {
		t.Errorf("no main module in %v", mods)
	}
	img2, _ := build.Image(o)
	d2, _ := Image(img2, "127.0.0.1:5000/fn/echo", opts)
	raw2, _ := Marshal(d2)
	if !bytes.Equal(raw, raw2) {
		t.Error("two builds give different SBOMs")
	}
}

func TestImageWithBaseLayers(t *testing.T) {
	_, data := runtimeBinary(t)
	fn := t.TempDir()
	os.WriteFile(filepath.Join(fn, "h"), []byte("#!/bin/sh\n"), 0o755)
	first, err := build.Image(build.Options{Arch: "amd64", Runtime: data, Function: fn, Handler: "h", Mode: "exec", Created: opts.Created})
	if err != nil {
		t.Fatal(err)
	}
	// An image built on one of ours: its two layers are base layers now.
	img, err := build.Image(build.Options{Base: first, Arch: "amd64", Runtime: data, Function: fn, Handler: "h", Mode: "exec", Created: opts.Created})
	if err != nil {
		t.Fatal(err)
	}
	d, err := Image(img, "fn", opts)
	if err != nil {
		t.Fatal(err)
	}
	ls, _ := first.Layers()
	var bases []string
	for _, p := range d.Packages {
		if strings.HasPrefix(p.PackageName, "base layer") {
			bases = append(bases, p.PackageVersion)
		}
	}
	if len(bases) != 2 {
		t.Fatalf("base layers %v", bases)
	}
	for i, l := range ls {
		if ld, _ := l.Digest(); bases[i] != ld.String() {
			t.Errorf("base layer %d: %s, want %s", i+1, bases[i], ld)
		}
	}
}

// The CycloneDX form validates against the CycloneDX 1.6 JSON schema that
// cyclonedx-go ships (its own tests validate the same way).
func TestCycloneDXValidatesAgainstTheSchema(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/CycloneDX/cyclonedx-go").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	// The schema refers to its neighbours by their http://cyclonedx.org
	// IDs: load those from the module too (the tests run offline).
	dir := filepath.Join(strings.TrimSpace(string(out)), "schema")
	sl := gojsonschema.NewSchemaLoader()
	for _, f := range []string{"jsf-0.82.schemax.json", "spdx.schema.json"} {
		if err := sl.AddSchemas(gojsonschema.NewReferenceLoader("file://" + filepath.ToSlash(filepath.Join(dir, f)))); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	schema, err := sl.Compile(gojsonschema.NewReferenceLoader("file://" + filepath.ToSlash(filepath.Join(dir, "bom-1.6.schema.json"))))
	if err != nil {
		t.Fatal(err)
	}
	// The validator does refuse: a hash that is not hex.
	bad := `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"file","name":"x","hashes":[{"alg":"SHA-256","content":"not-hex"}]}]}`
	if res, err := schema.Validate(gojsonschema.NewStringLoader(bad)); err != nil || res.Valid() {
		t.Fatalf("the schema accepted a bad hash (%v)", err)
	}
	p, data := cliBinary(t)
	docs := map[string]*spdx.Document{}
	var err2 error
	if docs["binary"], err2 = Binary(p, data, opts); err2 != nil {
		t.Fatal(err2)
	}
	fn := t.TempDir()
	os.WriteFile(filepath.Join(fn, "h"), []byte("#!/bin/sh\n"), 0o755)
	first, _ := build.Image(build.Options{Arch: "amd64", Runtime: data, Function: fn, Handler: "h", Mode: "exec", Created: opts.Created})
	img, _ := build.Image(build.Options{Base: first, Arch: "amd64", Runtime: data, Function: fn, Handler: "h", Mode: "exec", Created: opts.Created})
	if docs["image"], err2 = Image(img, "127.0.0.1:5000/fn/x", opts); err2 != nil {
		t.Fatal(err2)
	}
	for name, d := range docs {
		raw, err := CycloneDX(d)
		if err != nil {
			t.Fatal(err)
		}
		res, err := schema.Validate(gojsonschema.NewBytesLoader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if !res.Valid() {
			t.Errorf("%s: %v", name, res.Errors())
		}
		var bom cdx.BOM
		if err := cdx.NewBOMDecoder(bytes.NewReader(raw), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
			t.Fatal(err)
		}
		if bom.Metadata.Component == nil || bom.Metadata.Timestamp != "2023-11-14T22:13:20Z" || len(*bom.Components) != len(d.Packages)-1+len(d.Files) {
			t.Errorf("%s: metadata %+v, %d components", name, bom.Metadata, len(*bom.Components))
		}
		again, _ := CycloneDX(d)
		if !bytes.Equal(raw, again) {
			t.Errorf("%s: CycloneDX not reproducible", name)
		}
	}
}
