package packages

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/files"

	// nfpm's packagers register themselves by import.
	_ "github.com/goreleaser/nfpm/v2/apk"
	_ "github.com/goreleaser/nfpm/v2/arch"
	_ "github.com/goreleaser/nfpm/v2/deb"
	_ "github.com/goreleaser/nfpm/v2/rpm"

	"github.com/faas-runtime/faas-runtime/packaging/meta"
	"github.com/faas-runtime/faas-runtime/packaging/pkgversion"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// VersionVar is the linker variable that --version prints.
const VersionVar = "github.com/faas-runtime/faas-runtime/runtime/version.Version"

type builder struct {
	opts Options
	v    pkgversion.Version
	sde  time.Time
	keys *signing.Keys
	tmp  string
	res  *Result
	gen  generator // runs the host's runtime-init for generated files
	mu   sync.Mutex
}

type binKey struct{ src, goos, goarch, env string }

func (b *builder) logf(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fmt.Fprintf(b.opts.Log, format+"\n", args...)
}

func (b *builder) add(a Artifact) error {
	sum, size, err := fileSHA256(filepath.Join(b.tmp, a.Path))
	if err != nil {
		return err
	}
	a.SHA256, a.Size = sum, size
	b.mu.Lock()
	b.res.Files = append(b.res.Files, a)
	b.mu.Unlock()
	return nil
}

func (b *builder) run(ctx context.Context, targets []Target) error {
	bins, err := b.buildBinaries(ctx, targets)
	if err != nil {
		return err
	}
	gen := filepath.Join(b.tmp, ".gen")
	if b.gen.bin, err = b.hostRuntimeInit(ctx, bins, gen); err != nil {
		return err
	}
	b.gen.ctx = ctx
	for _, t := range targets {
		if err := b.pack(t, bins, gen); err != nil {
			return fmt.Errorf("%s %s (%s/%s): %w", t.Format, t.Pkg.Name, t.GOOS, t.GOARCH, err)
		}
	}
	os.RemoveAll(gen)
	if err := b.layers(bins); err != nil {
		return fmt.Errorf("lambda layers: %w", err)
	}
	if err := b.sourceAndRecipes(ctx); err != nil {
		return err
	}
	return nil
}

// buildBinaries runs go build for every binary the targets need, two at a
// time (the machines here have two cores).
func (b *builder) buildBinaries(ctx context.Context, targets []Target) (map[binKey]string, error) {
	need := map[binKey]bool{}
	for _, t := range targets {
		for _, f := range filesFor(t) {
			if f.Kind == meta.Binary {
				need[binKey{f.Src, t.GOOS, t.GOARCH, strings.Join(t.Pkg.BuildEnv, "\n")}] = true
			}
		}
		if t.Pkg.Name == "faas-runtime" && t.GOOS == "linux" {
			need[binKey{"./cmd/faas-runtime", "linux", t.GOARCH, ""}] = true // for the layer zips
		}
	}
	out := map[binKey]string{}
	var mu sync.Mutex
	errs := make(chan error, len(need))
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for k := range need {
		name := filepath.Base(k.src)
		if k.goos == "windows" {
			name += ".exe"
		}
		rel := filepath.Join("bin", k.goos+"_"+k.goarch, name)
		if k.env != "" {
			rel = filepath.Join("bin", k.goos+"_"+k.goarch+"_"+sanitize(k.env), name)
		}
		wg.Add(1)
		go func(k binKey, rel string) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			b.logf("go build %s for %s/%s", k.src, k.goos, k.goarch)
			dst := filepath.Join(b.tmp, rel)
			if err := b.goBuild(ctx, k, dst); err != nil {
				errs <- err
				return
			}
			// A fixed mtime keeps archives made from these files reproducible.
			os.Chtimes(dst, b.sde, b.sde)
			mu.Lock()
			out[k] = dst
			mu.Unlock()
			if err := b.add(Artifact{Path: rel, Kind: "binary", GOOS: k.goos, GOARCH: k.goarch}); err != nil {
				errs <- err
			}
		}(k, rel)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return nil, err
	}
	return out, nil
}

func (b *builder) goBuild(ctx context.Context, k binKey, dst string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false",
		"-ldflags", "-s -w -X "+VersionVar+"="+b.v.String(), "-o", dst, k.src)
	cmd.Dir = b.opts.Root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+k.goos, "GOARCH="+k.goarch, "GOFLAGS=")
	if k.env != "" {
		cmd.Env = append(cmd.Env, strings.Split(k.env, "\n")...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s for %s/%s: %v\n%s", k.src, k.goos, k.goarch, err, out)
	}
	return nil
}

// hostRuntimeInit is a runtime-init this machine runs, for the generated
// man page and completions: the one built for a target if the host is one,
// else one built into dir (not an artifact).
func (b *builder) hostRuntimeInit(ctx context.Context, bins map[binKey]string, dir string) (string, error) {
	k := binKey{"./cmd/runtime-init", runtime.GOOS, runtime.GOARCH, ""}
	if p, ok := bins[k]; ok {
		return p, nil
	}
	dst := filepath.Join(dir, "runtime-init")
	if runtime.GOOS == "windows" {
		dst += ".exe"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	b.logf("go build %s for this machine (man page and completions)", k.src)
	return dst, b.goBuild(ctx, k, dst)
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}

// filesFor lists a target's files: the package's own, its license and docs
// in the format's standard places, and (MSYS2) everything re-rooted under
// /ucrt64 with .exe binaries.
func filesFor(t Target) []meta.File {
	name := t.Pkg.Name
	var fs []meta.File
	if t.Format == "msys2" {
		prefix := MSYS2Envs[t.GOARCH].Prefix
		fs = append(fs,
			// runtime-init only: the Lambda bootstrap has no use on Windows.
			meta.File{Kind: meta.Binary, Src: "./cmd/runtime-init", Dst: prefix + "/bin/runtime-init.exe", Mode: 0o755},
			meta.File{Kind: meta.Source, Src: meta.LicenseFile, Dst: prefix + "/share/licenses/" + name + "/LICENSE", Mode: 0o644},
			meta.File{Kind: meta.Source, Src: meta.ReadmeFile, Dst: prefix + "/share/doc/" + name + "/README.md", Mode: 0o644, Doc: true},
		)
		// The man page and completions, re-rooted under the environment's
		// prefix (MSYS2's bash, zsh and fish look there).
		for _, f := range t.Pkg.Files {
			if f.Kind == meta.Generated {
				f.Dst = prefix + strings.TrimPrefix(f.Dst, "/usr")
				fs = append(fs, f)
			}
		}
		return fs
	}
	fs = append(fs, t.Pkg.Files...)
	licenseDst := "/usr/share/licenses/" + name + "/LICENSE"
	if t.Format == "deb" {
		// Debian policy: the license is /usr/share/doc/<pkg>/copyright.
		licenseDst = "/usr/share/doc/" + name + "/copyright"
	}
	fs = append(fs,
		meta.File{Kind: meta.Source, Src: meta.LicenseFile, Dst: licenseDst, Mode: 0o644},
		meta.File{Kind: meta.Source, Src: meta.ReadmeFile, Dst: "/usr/share/doc/" + name + "/README.md", Mode: 0o644, Doc: true},
	)
	return fs
}

// Info is the nfpm description of one target; packaging/ and the
// .goreleaser.yaml consistency test both read it.
func Info(t Target, v pkgversion.Version, mtime time.Time, resolve func(meta.File) (string, error)) (*nfpm.Info, error) {
	fv, err := v.For(t.Format)
	if err != nil {
		return nil, err
	}
	p := t.Pkg
	name := p.Name
	format := t.Format
	if format == "msys2" {
		name, format = MSYS2PackageName(p.Name, t.GOARCH), "archlinux"
	}
	info := &nfpm.Info{
		Name:            name,
		Arch:            t.GOARCH,
		Platform:        "linux",
		Version:         fv.Version,
		VersionSchema:   "none",
		Prerelease:      fv.Prerelease,
		VersionMetadata: fv.Metadata,
		Release:         fv.Release,
		Section:         p.Section,
		Priority:        "optional",
		Maintainer:      meta.Project.Maintainer,
		Description:     p.Summary + "\n" + wrap(p.Description, 72),
		Vendor:          meta.Project.Vendor,
		Homepage:        meta.Project.Homepage,
		License:         meta.Project.License,
		MTime:           mtime,
	}
	info.Depends = p.Depends[t.Format]
	info.RPM.Summary = p.Summary
	info.RPM.Group = "Unspecified"
	info.RPM.BuildHost = "faas-runtime" // not os.Hostname(): reproducible
	info.RPM.Packager = meta.Project.Maintainer
	info.ArchLinux.Packager = meta.Project.Maintainer
	switch t.Format {
	case "apk", "archlinux":
		// .PKGINFO's pkgdesc is one line: a second one breaks the parsers.
		info.Description = p.Summary
	case "msys2":
		info.ArchLinux.Arch = "any"
		// MINGW-packages' pkgbase is mingw-w64-${_realname}, as in the PKGBUILD.
		info.ArchLinux.Pkgbase = "mingw-w64-" + p.Name
		info.Description = p.Summary + " (mingw-w64)"
	}
	for _, f := range filesFor(t) {
		src, err := resolve(f)
		if err != nil {
			return nil, err
		}
		c := &files.Content{Source: src, Destination: f.Dst,
			FileInfo: &files.ContentFileInfo{Mode: f.Mode, MTime: mtime, Owner: "root", Group: "root"}}
		if f.Doc && t.Format == "rpm" {
			c.Type = files.TypeRPMDoc
		}
		if f.Src == meta.LicenseFile && t.Format == "rpm" {
			c.Type = files.TypeRPMLicense
		}
		info.Contents = append(info.Contents, c)
	}
	if t.Format == "rpm" {
		// rpm removes only the directories a package lists; dpkg, apk and
		// pacman remove the empty ones they created.
		for _, d := range OwnedDirs(filesFor(t)) {
			info.Contents = append(info.Contents, &files.Content{Destination: d, Type: files.TypeDir,
				FileInfo: &files.ContentFileInfo{Mode: 0o755, MTime: mtime, Owner: "root", Group: "root"}})
		}
	}
	return info, nil
}

// SystemDirs are directories the base system owns (Fedora's and RHEL's
// filesystem package): a package installs into them but does not own them.
var SystemDirs = map[string]bool{
	"/usr": true, "/usr/bin": true, "/usr/include": true, "/usr/share": true,
	"/usr/share/doc": true, "/usr/share/licenses": true, "/usr/share/man": true, "/usr/share/man/man1": true,
	"/usr/share/bash-completion": true, "/usr/share/bash-completion/completions": true,
	"/usr/share/zsh": true, "/usr/share/zsh/site-functions": true,
	"/usr/share/fish": true, "/usr/share/fish/vendor_completions.d": true,
}

// OwnedDirs lists the directories of fs's destinations that are not system
// directories (/usr/share/doc/NAME, /usr/include/faas, ...), sorted.
func OwnedDirs(fs []meta.File) []string {
	seen := map[string]bool{}
	for _, f := range fs {
		for d := path.Dir(f.Dst); d != "/" && !SystemDirs[d]; d = path.Dir(d) {
			seen[d] = true
		}
	}
	out := make([]string, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

func (b *builder) resolver(t Target, bins map[binKey]string, gen string) func(meta.File) (string, error) {
	return func(f meta.File) (string, error) {
		switch f.Kind {
		case meta.Binary:
			p, ok := bins[binKey{f.Src, t.GOOS, t.GOARCH, strings.Join(t.Pkg.BuildEnv, "\n")}]
			if !ok {
				return "", fmt.Errorf("binary %s for %s/%s was not built", f.Src, t.GOOS, t.GOARCH)
			}
			return p, nil
		case meta.Source:
			p := filepath.Join(b.opts.Root, f.Src)
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("file %s of the source tree: %w", f.Src, err)
			}
			return p, nil
		case meta.Generated:
			dst := filepath.Join(gen, sanitize(f.Src))
			if _, err := os.Stat(dst); err == nil {
				return dst, nil
			}
			data, err := b.gen.generate(f.Src)
			if err != nil {
				return "", err
			}
			if err := os.MkdirAll(gen, 0o755); err != nil {
				return "", err
			}
			return dst, os.WriteFile(dst, data, 0o644)
		}
		return "", fmt.Errorf("unknown file kind %d", f.Kind)
	}
}

func (b *builder) pack(t Target, bins map[binKey]string, gen string) error {
	info, err := Info(t, b.v, b.sde, b.resolver(t, bins, gen))
	if err != nil {
		return err
	}
	format := t.Format
	nfpmFormat := format
	if format == "msys2" {
		nfpmFormat = "archlinux"
	}
	// Signing: rpm headers with the OpenPGP key (RSA/SHA-256), apk control
	// sections with the RSA key. Debian verifies the repository's InRelease,
	// not packages; pacman reads detached .sig files made in packaging/repo.
	// rpm and apk are signed after nfpm, once their payload and metadata
	// are final (relativeRPM, finishAPK). Debian verifies the repository's
	// InRelease, not packages; pacman reads detached .sig files made in
	// packaging/repo.
	if format == "deb" {
		// Debian policy wants /usr/share/doc/NAME/changelog.Debian.gz; nfpm
		// writes it from a chglog file.
		if info.Changelog, err = b.debChangelog(gen); err != nil {
			return err
		}
	}
	nfpm.WithDefaults(info)
	if err := nfpm.PrepareForPackager(info, nfpmFormat); err != nil {
		return err
	}
	pkgr, err := nfpm.Get(nfpmFormat)
	if err != nil {
		return err
	}
	arch, _ := ArchName(format, t.GOARCH)
	fileName := pkgr.ConventionalFileName(info)
	rel := filepath.Join(format, fileName)
	if format == "apk" {
		// apk fetches <repo>/<arch>/<name>-<version>.apk.
		rel = filepath.Join(format, arch, fmt.Sprintf("%s-%s.apk", info.Name, b.res.FormatVersions["apk"]))
	}
	dst := filepath.Join(b.tmp, rel)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pkgr.Package(info, &buf); err != nil {
		return err
	}
	data := buf.Bytes()
	if format == "rpm" {
		if data, err = relativeRPM(data, func(d []byte) ([]byte, error) {
			return b.keys.DetachSign(bytes.NewReader(d), false)
		}); err != nil {
			return err
		}
	}
	if format == "apk" {
		fields := []apkField{
			{"builddate", fmt.Sprint(b.sde.Unix())},
			{"packager", meta.Project.Maintainer},
			{"origin", info.Name},
			{"commit", b.res.Commit},
		}
		if data, err = finishAPK(data, fields, b.keys.APKName, b.keys.SignSHA256); err != nil {
			return err
		}
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		return err
	}
	b.logf("%s", rel)
	return b.add(Artifact{Path: rel, Kind: format, Package: info.Name, Arch: arch, GOOS: t.GOOS, GOARCH: t.GOARCH})
}

// wrap breaks text into lines of at most width runes (Debian and rpmlint
// want description lines under 80 columns).
func wrap(text string, width int) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// debChangelog writes the chglog file nfpm turns into changelog.Debian.gz:
// one entry for this version (the release notes are on the releases page),
// dated SOURCE_DATE_EPOCH.
func (b *builder) debChangelog(gen string) (string, error) {
	p := filepath.Join(gen, "changelog.yml")
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	short := b.res.Commit
	if len(short) > 12 {
		short = short[:12]
	}
	entry := fmt.Sprintf(`- semver: %q
  date: %s
  packager: %q
  deb:
    urgency: medium
    distributions: [%s]
  changes:
    - commit: %s
      note: %q
`, b.res.FormatVersions["deb"], b.sde.Format(time.RFC3339), meta.Project.Maintainer, DebDistribution, b.res.Commit,
		fmt.Sprintf("faas-runtime %s, built from commit %s.\nRelease notes: %s/releases", b.v, short, meta.Project.Homepage))
	if err := os.MkdirAll(gen, 0o755); err != nil {
		return "", err
	}
	return p, os.WriteFile(p, []byte(entry), 0o644)
}

// DebDistribution is the suite named in changelog.Debian.gz (the
// repository's suite, packaging/repo DebSuite).
const DebDistribution = "stable"
