// Package packages makes every package of faas-runtime from packaging/meta:
// binaries (go build), rpm/deb/apk/archlinux/MSYS2 packages (nfpm as a
// library), Lambda layer zips, the source archive, the Homebrew formula and
// the MSYS2 PKGBUILD. It writes into a temporary directory and moves the
// result into place only when everything succeeded.
package packages

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/faas-runtime/faas-runtime/packaging/pkgversion"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// Options says what to build and where.
type Options struct {
	Root    string // the source tree (a git checkout)
	Out     string // output directory, e.g. dist/packages
	Version string // semver; empty: from git describe
	// SourceDateEpoch is the time stamped into every file; 0: the commit time.
	SourceDateEpoch int64
	Keys            *signing.Keys
	Formats, Arches []string // empty: all
	// DownloadURL is where release assets (the source archive) are published;
	// the Homebrew formula and PKGBUILD point there.
	DownloadURL string
	Log         io.Writer
	// Force replaces an Out that was not made by this tool.
	Force bool
}

// Result describes a finished build (also written as Out/MANIFEST.json).
type Result struct {
	Version         string            `json:"version"`
	FormatVersions  map[string]string `json:"format_versions"`
	SourceDateEpoch int64             `json:"source_date_epoch"`
	Commit          string            `json:"commit"`
	Fingerprint     string            `json:"fingerprint"`
	KeyFingerprint  string            `json:"pgp_key_fingerprint"`
	APKKeyName      string            `json:"apk_key_name"`
	Throwaway       bool              `json:"throwaway_keys"`
	SourceArchive   string            `json:"source_archive"`
	Files           []Artifact        `json:"files"`
}

// Artifact is one output file.
type Artifact struct {
	Path    string `json:"path"` // relative to Out
	Kind    string `json:"kind"` // rpm, deb, apk, archlinux, msys2, layer, source, formula, pkgbuild, srcinfo, binary
	Package string `json:"package,omitempty"`
	Arch    string `json:"arch,omitempty"` // the format's spelling
	GOOS    string `json:"goos,omitempty"`
	GOARCH  string `json:"goarch,omitempty"`
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"`
}

// ManifestName is the manifest's file name in Out; its presence marks a
// directory this tool made (and may replace).
const ManifestName = "MANIFEST.json"

// DefaultDownloadURL is where GitHub releases publish assets.
const DefaultDownloadURL = "https://github.com/faas-runtime/faas-runtime/releases/download"

// InputError is bad input (version, format, arch, output directory): the
// CLI exits 2 for it.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Run builds everything into opts.Out.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Keys == nil {
		return nil, fmt.Errorf("no signing keys")
	}
	if opts.DownloadURL == "" {
		opts.DownloadURL = DefaultDownloadURL
	}
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, err
	}
	opts.Root = root
	if opts.Out, err = filepath.Abs(opts.Out); err != nil {
		return nil, err
	}
	if err := CheckReplaceable(opts.Out, opts.Force); err != nil {
		return nil, &InputError{err}
	}
	v, err := resolveVersion(root, opts.Version)
	if err != nil {
		return nil, &InputError{err}
	}
	targets, err := Targets(opts.Formats, opts.Arches)
	if err != nil {
		return nil, &InputError{err}
	}
	// Refuse a version some format cannot represent before building anything.
	res := &Result{Version: v.String(), FormatVersions: map[string]string{}}
	for _, t := range targets {
		if _, ok := res.FormatVersions[t.Format]; ok {
			continue
		}
		spelled, err := v.Spelling(t.Format)
		if err != nil {
			return nil, &InputError{fmt.Errorf("version %s: %w (set VERSION= to one every format can take)", v, err)}
		}
		res.FormatVersions[t.Format] = spelled
	}
	if res.Commit, err = git(root, "rev-parse", "HEAD"); err != nil {
		return nil, fmt.Errorf("the source tree must be a git checkout: %w", err)
	}
	sde := opts.SourceDateEpoch
	if sde == 0 {
		if sde, err = CommitTime(root); err != nil {
			return nil, err
		}
	}
	res.SourceDateEpoch = sde
	if res.Fingerprint, err = Fingerprint(root); err != nil {
		return nil, err
	}
	keys := *opts.Keys
	keys.Time = time.Unix(sde, 0).UTC()
	res.KeyFingerprint, res.APKKeyName, res.Throwaway = keys.Fingerprint(), keys.APKName, keys.Throwaway

	if err := os.MkdirAll(filepath.Dir(opts.Out), 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(opts.Out), "."+filepath.Base(opts.Out)+".tmp-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	b := &builder{opts: opts, v: v, sde: time.Unix(sde, 0).UTC(), keys: &keys, tmp: tmp, res: res}
	if err := b.run(ctx, targets); err != nil {
		return nil, err
	}
	if err := writeManifest(tmp, res); err != nil {
		return nil, err
	}
	if err := ReplaceDir(tmp, opts.Out); err != nil {
		return nil, err
	}
	return res, nil
}

func resolveVersion(root, s string) (pkgversion.Version, error) {
	if s != "" {
		return pkgversion.Parse(s)
	}
	return pkgversion.FromGit(root)
}

// CommitTime is HEAD's commit time, the default SOURCE_DATE_EPOCH.
func CommitTime(root string) (int64, error) {
	out, err := git(root, "log", "-1", "--format=%ct")
	if err != nil {
		return 0, fmt.Errorf("SOURCE_DATE_EPOCH from the commit time: %w", err)
	}
	return strconv.ParseInt(out, 10, 64)
}

func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(ee.Stderr)))
		}
		return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

// ReleaseAssetName is a package's file name among the release assets, which
// are one flat list: the .apk files, named <name>-<version>.apk in their
// arch directories, get the arch in their name. Other artifacts (binaries,
// layers, recipes) are not release assets of faas-pkg: "".
func ReleaseAssetName(a Artifact) string {
	switch a.Kind {
	case "rpm", "deb", "archlinux", "msys2":
		return filepath.Base(a.Path)
	case "apk":
		return strings.TrimSuffix(filepath.Base(a.Path), ".apk") + "." + a.Arch + ".apk"
	}
	return ""
}
