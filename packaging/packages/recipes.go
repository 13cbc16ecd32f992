package packages

import (
	"archive/zip"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/faas-runtime/faas-runtime/packaging/meta"
)

// lambdaArch is Lambda's name for each Go arch.
var lambdaArch = map[string]string{"amd64": "x86_64", "arm64": "arm64"}

// layers writes a Lambda layer zip per arch with the bootstrap at the zip
// root: Lambda extracts layers to /opt, so it becomes /opt/bootstrap, which
// provided.al2023 runs when the function zip has no bootstrap of its own.
func (b *builder) layers(bins map[binKey]string) error {
	for _, goarch := range Arches {
		src, ok := bins[binKey{"./cmd/faas-runtime", "linux", goarch, ""}]
		if !ok {
			continue
		}
		rel := filepath.Join("layers", fmt.Sprintf("faas-runtime-layer-%s-%s.zip", b.v, lambdaArch[goarch]))
		if err := writeZip(filepath.Join(b.tmp, rel), src, "bootstrap", b.sde); err != nil {
			return err
		}
		b.logf("%s", rel)
		if err := b.add(Artifact{Path: rel, Kind: "layer", Package: "faas-runtime", Arch: lambdaArch[goarch], GOOS: "linux", GOARCH: goarch}); err != nil {
			return err
		}
	}
	return nil
}

func writeZip(dst, src, name string, mtime time.Time) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	h := &zip.FileHeader{Name: name, Method: zip.Deflate}
	h.SetMode(0o755)
	h.Modified = mtime
	w, err := zw.CreateHeader(h)
	if err == nil {
		_, err = w.Write(data)
	}
	if err == nil {
		err = zw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// SourceArchiveName is the release asset the formula and PKGBUILD build from.
func SourceArchiveName(version string) string {
	return fmt.Sprintf("%s-%s.tar.gz", meta.Project.Name, version)
}

// SourceURL is the download URL of the source archive of version.
func SourceURL(downloadURL, version string) string {
	return fmt.Sprintf("%s/v%s/%s", strings.TrimRight(downloadURL, "/"), version, SourceArchiveName(version))
}

// sourceAndRecipes writes the source archive (git archive of HEAD, which
// is byte-stable for a commit) and the recipes that build from it.
func (b *builder) sourceAndRecipes(ctx context.Context) error {
	ver := b.v.String()
	rel := filepath.Join("src", SourceArchiveName(ver))
	dst := filepath.Join(b.tmp, rel)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "git", "archive", "--format=tar.gz",
		"--prefix="+meta.Project.Name+"-"+ver+"/", "-o", dst, "HEAD")
	cmd.Dir = b.opts.Root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git archive: %v: %s", err, out)
	}
	if err := b.add(Artifact{Path: rel, Kind: "source"}); err != nil {
		return err
	}
	sum, _, err := fileSHA256(dst)
	if err != nil {
		return err
	}
	b.res.SourceArchive = rel
	data := recipeData{
		Desc:       "AWS Lambda custom runtime for functions in slim images, and its CLI",
		CLIDesc:    "Scaffold, build, inspect and run AWS Lambda functions on faas-runtime",
		Homepage:   meta.Project.Homepage,
		URL:        SourceURL(b.opts.DownloadURL, ver),
		SHA256:     sum,
		License:    meta.Project.License,
		Version:    ver,
		PkgVer:     strings.TrimSuffix(b.res.FormatVersions["msys2"], "-1"),
		VarPath:    VersionVar,
		Maintainer: meta.Project.Maintainer,
		Module:     meta.Project.Module,
	}
	if data.PkgVer == "" {
		spelled, err := b.v.Spelling("msys2")
		if err != nil {
			return err
		}
		data.PkgVer = strings.TrimSuffix(spelled, "-1")
	}
	for _, r := range []struct{ kind, rel, tmpl string }{
		{"formula", FormulaPath, formulaTmpl},
		{"pkgbuild", "msys2/mingw-w64-runtime-init/PKGBUILD", pkgbuildTmpl},
	} {
		if err := renderTo(filepath.Join(b.tmp, r.rel), r.tmpl, data); err != nil {
			return err
		}
		b.logf("%s", r.rel)
		if err := b.add(Artifact{Path: r.rel, Kind: r.kind}); err != nil {
			return err
		}
	}
	return nil
}

type recipeData struct {
	Desc, CLIDesc, Homepage, URL, SHA256, License, Version, PkgVer, VarPath, Maintainer, Module string
}

// FormulaName is the Homebrew formula users install: the CLI, named after
// it (brew install faas-runtime/tap/runtime-init).
const FormulaName = "runtime-init"

// FormulaPath is the formula's place in dist/packages; in the tap it is
// Formula/runtime-init.rb.
const FormulaPath = "homebrew/Formula/" + FormulaName + ".rb"

func renderTo(dst, tmpl string, data any) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	if err := template.Must(template.New("").Parse(tmpl)).Execute(f, data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// The Homebrew formula (a tap's Formula/ directory), as homebrew-core
// writes Go CLIs: the CLI only, built from the source archive with
// std_go_args, its completions and man page generated by the binary. The
// Linux bootstrap (faas-runtime) has no use on a Mac and is not installed.
// Generated by packaging/packages: edit the template, never the output.
const formulaTmpl = `# typed: false
# frozen_string_literal: true

# Generated by packaging/packages from packaging/meta; do not edit.
class RuntimeInit < Formula
  desc "{{.CLIDesc}}"
  homepage "{{.Homepage}}"
  url "{{.URL}}"
  sha256 "{{.SHA256}}"
  license "{{.License}}"

  depends_on "go" => :build

  def install
    ldflags = "-s -w -X {{.VarPath}}=#{version}"
    system "go", "build", *std_go_args(ldflags:), "./cmd/runtime-init"
    generate_completions_from_executable(bin/"runtime-init", "completion")
    (man1/"runtime-init.1").write Utils.safe_popen_read(bin/"runtime-init", "man")
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/runtime-init --version")
    # scaffold pins the package repository's key in the project: a test key.
    require "openssl"
    (testpath/"test.rsa.pub").write OpenSSL::PKey::RSA.new(2048).public_key.to_pem
    system bin/"runtime-init", "scaffold", "--name", "hello", "--base", "alpine", "--mode", "exec", "--lang", "go",
           "--repo-key", testpath/"test.rsa.pub", testpath/"hello"
    assert_path_exists testpath/"hello/keys/test.rsa.pub"
    assert_match "faas-runtime", (testpath/"hello/Dockerfile").read
    assert_match "package main", (testpath/"hello/main.go").read
  end
end
`

// The MSYS2 recipe in the MINGW-packages style, ready to submit upstream.
const pkgbuildTmpl = `# Maintainer: {{.Maintainer}}
# Generated by packaging/packages from packaging/meta; do not edit.

_realname=runtime-init
pkgbase=mingw-w64-${_realname}
pkgname=("${MINGW_PACKAGE_PREFIX}-${_realname}")
pkgver={{.PkgVer}}
_version={{.Version}}
pkgrel=1
pkgdesc="CLI and AWS Lambda custom runtime for functions in slim images (mingw-w64)"
arch=('any')
mingw_arch=('ucrt64' 'clang64' 'clangarm64')
url='{{.Homepage}}'
msys2_references=('purl: pkg:golang/{{.Module}}')
license=('spdx:{{.License}}')
makedepends=("${MINGW_PACKAGE_PREFIX}-go")
options=('!strip')
source=("{{.URL}}")
sha256sums=('{{.SHA256}}')

build() {
  cd "${srcdir}/faas-runtime-${_version}"
  # MINGW-packages' Go conventions (as in their glab and age PKGBUILDs).
  export GOROOT="${MINGW_PREFIX}/lib/go"
  export CGO_ENABLED=0
  export GOFLAGS="-buildmode=exe -trimpath -buildvcs=false -mod=readonly -modcacherw"
  local _ldflags="-s -w -X {{.VarPath}}=${_version}"
  go build -ldflags "${_ldflags}" -o runtime-init.exe ./cmd/runtime-init
  go build -ldflags "${_ldflags}" -o faas-runtime.exe ./cmd/faas-runtime
  # The man page and shell completions, from the binary just built.
  mkdir -p gen
  ./runtime-init.exe man | gzip -9n > gen/runtime-init.1.gz
  for _shell in bash zsh fish; do
    ./runtime-init.exe completion "${_shell}" > "gen/runtime-init.${_shell}"
  done
}

check() {
  cd "${srcdir}/faas-runtime-${_version}"
  ./runtime-init.exe --version
}

package() {
  cd "${srcdir}/faas-runtime-${_version}"
  install -Dm755 runtime-init.exe "${pkgdir}${MINGW_PREFIX}/bin/runtime-init.exe"
  install -Dm755 faas-runtime.exe "${pkgdir}${MINGW_PREFIX}/bin/faas-runtime.exe"
  install -Dm644 LICENSE "${pkgdir}${MINGW_PREFIX}/share/licenses/${_realname}/LICENSE"
  install -Dm644 gen/runtime-init.1.gz "${pkgdir}${MINGW_PREFIX}/share/man/man1/runtime-init.1.gz"
  install -Dm644 gen/runtime-init.bash "${pkgdir}${MINGW_PREFIX}/share/bash-completion/completions/runtime-init"
  install -Dm644 gen/runtime-init.zsh "${pkgdir}${MINGW_PREFIX}/share/zsh/site-functions/_runtime-init"
  install -Dm644 gen/runtime-init.fish "${pkgdir}${MINGW_PREFIX}/share/fish/vendor_completions.d/runtime-init.fish"
}
`
