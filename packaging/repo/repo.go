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

// Build makes the repository tree: it checks the packages' keys, plans the
// releases the tree keeps, builds each format's part in a temporary
// directory and moves the finished tree into place.
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
	if err := checkPackageKeys(opts.Packages, man, &keys); err != nil {
		return err
	}
	h, err := planHistory(opts, man, &keys)
	if err != nil {
		return err
	}
	keys.Time = time.Unix(h.repoTime, 0).UTC()
	signers, transition, err := withTransition(&keys, opts.Transition)
	if err != nil {
		return err
	}
	out, err := filepath.Abs(opts.Out)
	if err != nil {
		return err
	}
	tmp, err := stage(out, opts.Force)
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	r := &repoBuilder{ctx: ctx, pkgs: opts.Packages, out: tmp, man: man, keys: &keys, signers: signers, log: opts.Log,
		history: h}
	if err := r.build(opts.BaseURL); err != nil {
		return err
	}
	if h.republished != nil && !opts.Force {
		if err := r.sameAs(h.republished); err != nil {
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

// withTransition returns the metadata's signers: keys, then the transition
// keys (stamped with keys' time), and the transition keys' fingerprints.
func withTransition(keys *signing.Keys, transition []*signing.Keys) (signing.Signers, []string, error) {
	signers := signing.Signers{keys}
	var fps []string
	for _, k := range transition {
		tk := *k
		tk.Time = keys.Time
		if tk.APKName == keys.APKName {
			return nil, nil, fmt.Errorf("the transition apk key has the same name as the new one (%s): give the new key another name (%s)", keys.APKName, signing.EnvAPKKeyName)
		}
		signers = append(signers, &tk)
		fps = append(fps, tk.Fingerprint())
	}
	return signers, fps, nil
}

// stage makes the temporary directory beside out that the tree is built in,
// after checking that out may be replaced.
func stage(out string, force bool) (string, error) {
	if err := packages.CheckReplaceableAs(out, ManifestName, force); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", err
	}
	return os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-")
}

// build writes every part of the tree: the kept releases' files, then one
// part per format (a file each: rpm.go, deb.go, apk.go, pacman.go,
// homebrew.go) and the README.
func (r *repoBuilder) build(baseURL string) error {
	if err := r.copyPrevious(); err != nil {
		return err
	}
	steps := []struct {
		name string
		fn   func() error
	}{
		{"keys", r.publicKeys},
		{"rpm", func() error { return r.rpm(baseURL) }},
		{"deb", r.deb},
		{"apk", r.apk},
		{"archlinux", func() error { return r.pacman("archlinux", ArchDir) }},
		{"msys2", func() error { return r.pacman("msys2", MSYS2Dir) }},
		{"homebrew", r.homebrew},
		{"readme", func() error { return r.readme(baseURL) }},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return fmt.Errorf("%s repository: %w", s.name, err)
		}
	}
	sort.Strings(r.newFiles)
	r.releases[r.current].Files = r.newFiles
	return nil
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
	*history
	newFiles []string // this release's files, relative to out
	formulae []string
}

// sde is the time stamped into the metadata: the newest release's
// SOURCE_DATE_EPOCH, so the same history gives the same bytes.
func (r *repoBuilder) sde() time.Time { return time.Unix(r.repoTime, 0).UTC() }

func (r *repoBuilder) newest() Release { return r.releases[len(r.releases)-1] }

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
