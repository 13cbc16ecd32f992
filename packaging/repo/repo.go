// Package repo turns dist/packages into a static, signed repository tree
// (dist/repo) that any web server or bucket can host: rpm (createrepo_c,
// signed repomd.xml), apt (apt-ftparchive, signed InRelease), Alpine
// (signed APKINDEX), pacman for Arch Linux and MSYS2 (repo-add, signed
// databases and packages) and the Homebrew tap. It writes into a temporary
// directory and moves the finished tree into place.
package repo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/faas-runtime/faas-runtime/packaging/packages"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// Options says where the packages are and where the repository goes.
type Options struct {
	Packages string // dist/packages (with its MANIFEST.json)
	Out      string // dist/repo
	Keys     *signing.Keys
	BaseURL  string // where Out will be served (written into faas-runtime.repo and README.txt)
	Log      io.Writer
	Force    bool
	// From is an existing repository tree (a directory or an http(s) base
	// URL) to add this release to; empty builds a repository holding only
	// this release. Its packages are copied byte for byte.
	From string
	// Keep is how many releases (newest first) the repository keeps; 0 keeps all.
	Keep int
	// Transition are earlier keys still trusted during a key rotation: the
	// metadata is signed by them too and their public keys are published
	// beside Keys', so clients that know only an earlier key keep working.
	Transition []*signing.Keys
}

// Manifest is written as REPO.json at the repository's root.
type Manifest struct {
	Version        string `json:"version"`
	Fingerprint    string `json:"fingerprint"` // of the source tree (packages.Fingerprint)
	KeyFingerprint string `json:"pgp_key_fingerprint"`
	APKKeyName     string `json:"apk_key_name"`
	Throwaway      bool   `json:"throwaway_keys"`
	BaseURL        string `json:"base_url"`
	// TransitionKeys are the fingerprints of earlier keys that also signed the metadata.
	TransitionKeys []string `json:"transition_pgp_key_fingerprints,omitempty"`
	// Releases are the versions the repository holds, oldest first.
	Releases []Release `json:"releases"`
	// Formulae are the Homebrew tap's files (for the newest release).
	Formulae []string `json:"homebrew_formulae,omitempty"`
}

// Build makes the repository tree.
func Build(ctx context.Context, opts Options) error {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	man, err := packages.ReadManifest(opts.Packages)
	if err != nil {
		return fmt.Errorf("no packages to publish in %s (build them first: make packages): %w", opts.Packages, err)
	}
	keys := *opts.Keys
	if fp := keys.Fingerprint(); man.KeyFingerprint != fp {
		return fmt.Errorf("the packages in %s were signed with key %s, but the repository key is %s: rebuild the packages with this key",
			opts.Packages, man.KeyFingerprint, fp)
	}
	if man.APKKeyName != keys.APKName {
		return fmt.Errorf("the apk packages in %s name key %s, but the repository's apk key is %s: rebuild the packages",
			opts.Packages, man.APKKeyName, keys.APKName)
	}
	var prev *previous
	releases := []Release{{Version: man.Version, SourceDateEpoch: man.SourceDateEpoch}}
	var republished *Release
	if opts.From != "" {
		if prev, err = openPrevious(opts.From); err != nil {
			return err
		}
		known := prev.man.KeyFingerprint == keys.Fingerprint()
		for _, k := range opts.Transition {
			known = known || prev.man.KeyFingerprint == k.Fingerprint()
		}
		if !known {
			return fmt.Errorf("the repository %s is signed with key %s, but this build's key is %s: to rotate keys, publish with the old key as a transition key first (see docs/packages.md)",
				opts.From, prev.man.KeyFingerprint, keys.Fingerprint())
		}
		for _, rel := range prev.man.Releases {
			if rel.Version == man.Version {
				republished = &rel
				continue
			}
			releases = append(releases, rel)
		}
	}
	if err := sortReleases(releases); err != nil {
		return err
	}
	releases = retain(releases, opts.Keep, man.Version)
	var sde int64
	for _, rel := range releases {
		sde = max(sde, rel.SourceDateEpoch)
	}
	keys.Time = time.Unix(sde, 0).UTC()
	signers := signing.Signers{&keys}
	var transition []string
	for _, k := range opts.Transition {
		tk := *k
		tk.Time = keys.Time
		if tk.APKName == keys.APKName {
			return fmt.Errorf("the transition apk key has the same name as the new one (%s): give the new key another name (%s)", keys.APKName, signing.EnvAPKKeyName)
		}
		signers = append(signers, &tk)
		transition = append(transition, tk.Fingerprint())
	}
	out, err := filepath.Abs(opts.Out)
	if err != nil {
		return err
	}
	if err := packages.CheckReplaceableAs(out, ManifestName, opts.Force); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	r := &repoBuilder{ctx: ctx, pkgs: opts.Packages, out: tmp, man: man, keys: &keys, signers: signers, log: opts.Log,
		prev: prev, releases: releases, repoTime: sde, rank: versionRank(releases)}
	for i, rel := range releases {
		if rel.Version == man.Version {
			r.current = i
		}
	}
	if err := r.copyPrevious(); err != nil {
		return err
	}
	steps := []struct {
		name string
		fn   func() error
	}{
		{"keys", r.publicKeys},
		{"rpm", func() error { return r.rpm(opts.BaseURL) }},
		{"deb", r.deb},
		{"apk", r.apk},
		{"archlinux", func() error { return r.pacman("archlinux", ArchDir) }},
		{"msys2", func() error { return r.pacman("msys2", MSYS2Dir) }},
		{"homebrew", r.homebrew},
		{"readme", func() error { return r.readme(opts.BaseURL) }},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return fmt.Errorf("%s repository: %w", s.name, err)
		}
	}
	sort.Strings(r.newFiles)
	r.releases[r.current].Files = r.newFiles
	if republished != nil && !opts.Force {
		if err := r.sameAs(republished); err != nil {
			return err
		}
	}
	m := Manifest{Version: r.newest().Version, Fingerprint: man.Fingerprint, KeyFingerprint: man.KeyFingerprint,
		APKKeyName: keys.APKName, Throwaway: keys.Throwaway, BaseURL: opts.BaseURL,
		TransitionKeys: transition, Releases: r.releases, Formulae: r.formulae}
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(tmp, ManifestName), append(b, '\n'), 0o644); err != nil {
		return err
	}
	return packages.ReplaceDir(tmp, out)
}

// ReadManifest reads a repository's REPO.json.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, err
	}
	return parseManifest(b)
}

func parseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	return &m, json.Unmarshal(b, &m)
}

type repoBuilder struct {
	ctx  context.Context
	pkgs string
	out  string
	man  *packages.Result
	keys *signing.Keys
	log  io.Writer
	// signers sign the metadata: keys, then any transition keys.
	signers signing.Signers

	prev     *previous // the tree this release is added to, or nil
	releases []Release // kept releases, oldest first
	current  int       // this build's index in releases
	repoTime int64     // the newest SOURCE_DATE_EPOCH among releases
	rank     map[string]int
	newFiles []string // this release's files, relative to out
	formulae []string
}

// sde is the time stamped into the metadata: the newest release's
// SOURCE_DATE_EPOCH, so the same history gives the same bytes.
func (r *repoBuilder) sde() time.Time { return time.Unix(r.repoTime, 0).UTC() }

func (r *repoBuilder) newest() Release { return r.releases[len(r.releases)-1] }

// copyPrevious copies the kept earlier releases' files, byte for byte,
// stamped with their own release's time (createrepo_c records mtimes).
func (r *repoBuilder) copyPrevious() error {
	for i, rel := range r.releases {
		if i == r.current {
			continue
		}
		fmt.Fprintf(r.log, "repo: keeping %s (%d files)\n", rel.Version, len(rel.Files))
		for _, f := range rel.Files {
			data, err := r.prev.get(f)
			if err != nil {
				return fmt.Errorf("release %s: %w", rel.Version, err)
			}
			if err := r.write(f, data); err != nil {
				return err
			}
			t := time.Unix(rel.SourceDateEpoch, 0).UTC()
			if err := os.Chtimes(filepath.Join(r.out, f), t, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// keptDirs returns the directories under top holding earlier releases'
// files ending in suffix (absolute, in the tree being built).
func (r *repoBuilder) keptDirs(top, suffix string) []string {
	seen := map[string]bool{}
	var out []string
	for i, rel := range r.releases {
		for _, f := range rel.Files {
			d := filepath.Join(r.out, filepath.Dir(f))
			if i != r.current && strings.HasPrefix(f, top+string(filepath.Separator)) && strings.HasSuffix(f, suffix) && !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	sort.Strings(out)
	return out
}

// sameAs refuses to publish a version again with other bytes: users who
// pinned it already have the first ones.
func (r *repoBuilder) sameAs(old *Release) error {
	if strings.Join(old.Files, "\n") != strings.Join(r.newFiles, "\n") {
		return fmt.Errorf("version %s is already published in %s with other files; publish a new version (or --force to replace it)", old.Version, r.prev.from)
	}
	for _, f := range old.Files {
		was, err := r.prev.get(f)
		if err != nil {
			return err
		}
		now, err := os.ReadFile(filepath.Join(r.out, f))
		if err != nil {
			return err
		}
		if !bytes.Equal(was, now) {
			return fmt.Errorf("version %s is already published in %s, and %s differs from this build; publish a new version (or --force to replace it)", old.Version, r.prev.from, f)
		}
	}
	return nil
}

// ordered sorts package file names oldest release first (this build's
// files count as its release), so tools keeping one version per package
// name (repo-add) end with the newest.
func (r *repoBuilder) ordered(names []string) {
	rank := func(n string) int {
		if i, ok := r.rank[n]; ok {
			return i
		}
		return r.current
	}
	sort.SliceStable(names, func(i, j int) bool {
		if a, b := rank(names[i]), rank(names[j]); a != b {
			return a < b
		}
		return names[i] < names[j]
	})
}

func (r *repoBuilder) write(rel string, data []byte) error {
	p := filepath.Join(r.out, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

// copyArtifacts copies the artifacts of kind into dir(artifact).
func (r *repoBuilder) copyArtifacts(kind string, dir func(packages.Artifact) string) ([]string, error) {
	var out []string
	for _, a := range r.man.Find(kind, "", "") {
		dst := filepath.Join(r.out, dir(a), filepath.Base(a.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(filepath.Join(r.pkgs, a.Path))
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return nil, err
		}
		// createrepo_c writes each rpm's mtime into the repodata (<time file=>).
		t := time.Unix(r.man.SourceDateEpoch, 0).UTC()
		if err := os.Chtimes(dst, t, t); err != nil {
			return nil, err
		}
		out = append(out, dst)
		rel, _ := filepath.Rel(r.out, dst)
		r.newFiles = append(r.newFiles, rel)
	}
	sort.Strings(out)
	return out, nil
}

func (r *repoBuilder) run(dir string, stdout io.Writer, name string, args ...string) error {
	if _, err := exec.LookPath(name); err != nil {
		return fmt.Errorf("%s is not installed (Debian: see scripts/deps-debian.txt): %w", name, err)
	}
	cmd := exec.CommandContext(r.ctx, name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	if stdout == nil {
		cmd.Stdout = &stderr
	}
	cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.Bytes())
	}
	return nil
}

func (r *repoBuilder) publicKeys() error {
	armored, err := r.signers.PublicPGP(true)
	if err != nil {
		return err
	}
	binary, err := r.signers.PublicPGP(false)
	if err != nil {
		return err
	}
	files := map[string][]byte{PGPPublicKey: armored, RPMKey: armored, DebKeyring: binary}
	for _, k := range r.signers {
		apkPub, err := k.PublicAPK()
		if err != nil {
			return err
		}
		files[filepath.Join(AlpineDir, k.APKName)] = apkPub
	}
	for rel, data := range files {
		if err := r.write(rel, data); err != nil {
			return err
		}
	}
	return nil
}

// signFile signs metadata with every signer (the key, then transition keys).
func (r *repoBuilder) signFile(path string, armored bool, suffix string) error {
	return r.signWith(r.signers, path, armored, suffix)
}

// signPackage signs a package with the current key only: like rpm and apk
// packages, a package keeps the one signature it was published with.
func (r *repoBuilder) signPackage(path string) error {
	return r.signWith(signing.Signers{r.keys}, path, false, ".sig")
}

func (r *repoBuilder) signWith(signers signing.Signers, path string, armored bool, suffix string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	sig, err := signers.DetachSign(data, armored)
	if err != nil {
		return err
	}
	return os.WriteFile(path+suffix, sig, 0o644)
}

// rpm: packages per arch, repodata by createrepo_c, repomd.xml.asc.
func (r *repoBuilder) rpm(base string) error {
	if _, err := r.copyArtifacts("rpm", func(a packages.Artifact) string { return filepath.Join(RPMDir, a.Arch) }); err != nil {
		return err
	}
	dir := filepath.Join(r.out, RPMDir)
	rev := fmt.Sprint(r.repoTime)
	if err := r.run(dir, nil, "createrepo_c", "--quiet", "--revision", rev, "--set-timestamp-to-revision", "."); err != nil {
		return err
	}
	if err := r.signFile(filepath.Join(dir, "repodata", "repomd.xml"), true, ".asc"); err != nil {
		return err
	}
	return r.write(RPMRepoFile, []byte(YumRepoFile(base)))
}

// deb: pool/ and dists/stable with Packages per arch, Release, InRelease.
func (r *repoBuilder) deb() error {
	if _, err := r.copyArtifacts("deb", func(a packages.Artifact) string {
		return filepath.Join(DebDir, "pool", DebComponent, a.Package[:1], a.Package)
	}); err != nil {
		return err
	}
	dir := filepath.Join(r.out, DebDir)
	var arches []string
	for _, a := range packages.Arches {
		deb, _ := packages.ArchName("deb", a)
		arches = append(arches, deb)
		var pk bytes.Buffer
		if err := r.run(dir, &pk, "apt-ftparchive", "--arch", deb, "packages", "pool"); err != nil {
			return err
		}
		rel := filepath.Join(DebDir, "dists", DebSuite, DebComponent, "binary-"+deb)
		if err := r.write(filepath.Join(rel, "Packages"), pk.Bytes()); err != nil {
			return err
		}
		if err := r.write(filepath.Join(rel, "Packages.gz"), gzipBytes(pk.Bytes())); err != nil {
			return err
		}
	}
	var rel bytes.Buffer
	date := r.sde().Format(time.RFC1123Z)
	if err := r.run(dir, &rel, "apt-ftparchive",
		"-o", "APT::FTPArchive::Release::Origin=faas-runtime",
		"-o", "APT::FTPArchive::Release::Label=faas-runtime",
		"-o", "APT::FTPArchive::Release::Suite="+DebSuite,
		"-o", "APT::FTPArchive::Release::Codename="+DebSuite,
		"-o", "APT::FTPArchive::Release::Architectures="+strings.Join(arches, " "),
		"-o", "APT::FTPArchive::Release::Components="+DebComponent,
		"-o", "APT::FTPArchive::Release::Description=faas-runtime packages",
		"-o", "APT::FTPArchive::Release::Date="+date,
		"release", filepath.Join("dists", DebSuite)); err != nil {
		return err
	}
	suite := filepath.Join(DebDir, "dists", DebSuite)
	if err := r.write(filepath.Join(suite, "Release"), rel.Bytes()); err != nil {
		return err
	}
	in, err := r.signers.ClearSign(rel.Bytes())
	if err != nil {
		return err
	}
	if err := r.write(filepath.Join(suite, "InRelease"), in); err != nil {
		return err
	}
	return r.signFile(filepath.Join(r.out, suite, "Release"), true, ".gpg")
}

// pacman: packages with detached .sig files, a repo-add database, signed.
func (r *repoBuilder) pacman(kind, dirRel string) error {
	byDir := map[string][]string{}
	paths, err := r.copyArtifacts(kind, func(a packages.Artifact) string {
		if kind == "msys2" {
			return filepath.Join(dirRel, packages.MSYS2Envs[a.GOARCH].Name)
		}
		return filepath.Join(dirRel, a.Arch)
	})
	if err != nil {
		return err
	}
	for _, p := range paths {
		byDir[filepath.Dir(p)] = append(byDir[filepath.Dir(p)], filepath.Base(p))
	}
	for _, d := range r.keptDirs(dirRel, ".pkg.tar.zst") {
		if _, ok := byDir[d]; !ok {
			byDir[d] = nil // only earlier releases' packages: the database is still rebuilt
		}
	}
	for dir, added := range byDir {
		for _, n := range added {
			if err := r.signPackage(filepath.Join(dir, n)); err != nil {
				return err
			}
			rel, _ := filepath.Rel(r.out, filepath.Join(dir, n+".sig"))
			r.newFiles = append(r.newFiles, rel)
		}
		// Earlier releases' packages keep their own signatures. A pacman
		// database holds one version per package: the newest (repo-add
		// keeps the last one given); older ones stay installable by URL.
		all, err := filepath.Glob(filepath.Join(dir, "*.pkg.tar.*"))
		if err != nil {
			return err
		}
		var names []string
		for _, p := range all {
			if !strings.HasSuffix(p, ".sig") {
				names = append(names, filepath.Base(p))
			}
		}
		r.ordered(names)
		db := PacmanRepo + ".db.tar.gz"
		if err := r.run(dir, nil, "repo-add", append([]string{"--quiet", "--nocolor", db}, names...)...); err != nil {
			return err
		}
		// repo-add's tar stamps entries with the current time.
		for _, n := range []string{db, PacmanRepo + ".files.tar.gz"} {
			if err := reproducibleTarGz(filepath.Join(dir, n), r.sde()); err != nil {
				return err
			}
		}
		// repo-add links NAME.db -> NAME.db.tar.gz; buckets and some servers
		// do not follow symlinks, so publish plain copies.
		for _, pair := range [][2]string{{PacmanRepo + ".db", db}, {PacmanRepo + ".files", PacmanRepo + ".files.tar.gz"}} {
			if err := replaceLink(filepath.Join(dir, pair[0]), filepath.Join(dir, pair[1])); err != nil {
				return err
			}
			os.Remove(filepath.Join(dir, pair[0]+".sig"))
		}
		os.Remove(filepath.Join(dir, db+".old"))
		for _, n := range []string{PacmanRepo + ".db", db} {
			if err := r.signFile(filepath.Join(dir, n), false, ".sig"); err != nil {
				return err
			}
		}
	}
	return nil
}

func replaceLink(link, target string) error {
	data, err := os.ReadFile(target)
	if err != nil {
		return err
	}
	os.Remove(link)
	return os.WriteFile(link, data, 0o644)
}

func (r *repoBuilder) homebrew() error {
	if r.prev != nil && (r.current != len(r.releases)-1 || len(r.man.Find("formula", "", "")) == 0) {
		// An older release published later (a backport), or a build without
		// the formula, leaves the tap as it was.
		for _, f := range r.prev.man.Formulae {
			data, err := r.prev.get(f)
			if err != nil {
				return err
			}
			if err := r.write(f, data); err != nil {
				return err
			}
		}
		r.formulae = r.prev.man.Formulae
		return nil
	}
	for _, a := range r.man.Find("formula", "", "") {
		r.formulae = append(r.formulae, filepath.Join(HomebrewDir, "Formula", filepath.Base(a.Path)))
		data, err := os.ReadFile(filepath.Join(r.pkgs, a.Path))
		if err != nil {
			return err
		}
		if err := r.write(filepath.Join(HomebrewDir, "Formula", filepath.Base(a.Path)), data); err != nil {
			return err
		}
	}
	return nil
}

func (r *repoBuilder) readme(base string) error {
	var b strings.Builder
	var vs []string
	for _, rel := range r.releases {
		vs = append(vs, rel.Version)
	}
	fmt.Fprintf(&b, "faas-runtime %s package repository (served from %s)\nreleases: %s\n\n", r.newest().Version, base, strings.Join(vs, " "))
	if r.keys.Throwaway {
		b.WriteString("WARNING: signed with THROWAWAY keys; for testing only.\n\n")
	}
	fmt.Fprintf(&b, "OpenPGP key fingerprint: %s\napk key: %s/%s\n\n", r.keys.Fingerprint(), AlpineDir, r.keys.APKName)
	fmt.Fprintf(&b, "rpm (/etc/yum.repos.d/faas-runtime.repo):\n%s\n", YumRepoFile(base))
	fmt.Fprintf(&b, "apt (/etc/apt/sources.list.d/faas-runtime.list, key %s):\n%s\n", DebKeyring, AptSourcesLine(base))
	fmt.Fprintf(&b, "apk (/etc/apk/repositories):\n%s\n\n", ApkRepository(base))
	fmt.Fprintf(&b, "pacman (Arch Linux):\n%s\npacman (MSYS2 UCRT64):\n%s\npacman (MSYS2 CLANGARM64):\n%s",
		PacmanSection(base, ""), PacmanSection(base, "ucrt64"), PacmanSection(base, "clangarm64"))
	return r.write("README.txt", []byte(b.String()))
}
