// Package cut cuts a release: it builds and signs the packages of one tag
// with the release keys, adds them to the published repository (fetched
// with its history, --from), and publishes the repository (to a Pages git
// branch and/or an S3 bucket), the Homebrew formula (to the tap's git
// repository) and the release assets with SHA256SUMS(.asc) (to a
// directory that the workflow uploads to the GitHub release).
package cut

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/faas-runtime/faas-runtime/packaging/attest"
	"github.com/faas-runtime/faas-runtime/packaging/packages"
	"github.com/faas-runtime/faas-runtime/packaging/pkgversion"
	"github.com/faas-runtime/faas-runtime/packaging/publish"
	"github.com/faas-runtime/faas-runtime/packaging/repo"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// Options say what to release and where it goes.
type Options struct {
	Root string // the source tree at the tag
	Tag  string // vX.Y.Z
	Dist string // work directory (packages/, repo/ under it)
	Keys *signing.Keys
	// ReleaseKeys is the directory of committed public release keys
	// (packaging/keys/release); the signing keys must be among them.
	ReleaseKeys string
	// From is the published repository (URL or directory) this release is
	// added to; empty only for the first release (First).
	From  string
	First bool
	Keep  int
	// BaseURL is where the repository is served; DownloadURL where the
	// release assets are (the formula and PKGBUILD point there).
	BaseURL, DownloadURL string
	Arches               []string // empty: all

	Pages, PagesBranch string // git URL of the Pages repository, and its branch
	S3                 string // s3://BUCKET/PREFIX
	Tap                string // git URL of the Homebrew tap
	Assets             string // directory for the release assets
	Log                io.Writer
}

// Run cuts the release.
func Run(ctx context.Context, o Options) error {
	if o.Log == nil {
		o.Log = io.Discard
	}
	v, err := pkgversion.Parse(strings.TrimPrefix(o.Tag, "v"))
	if err != nil || !strings.HasPrefix(o.Tag, "v") {
		return &packages.InputError{Err: fmt.Errorf("tag %q: want vX.Y.Z", o.Tag)}
	}
	if err := CheckKeys(o.Keys, o.ReleaseKeys); err != nil {
		return &packages.InputError{Err: err}
	}
	switch {
	case o.From == "" && !o.First:
		return &packages.InputError{Err: errors.New("--from URL (the published repository) is required; --first only for the very first release")}
	case o.From != "" && o.First:
		return &packages.InputError{Err: errors.New("--first and --from exclude each other")}
	case o.Pages == "" && o.S3 == "":
		return &packages.InputError{Err: errors.New("nowhere to publish the repository: give --pages GIT_URL and/or --s3 s3://BUCKET/PREFIX")}
	}
	if o.From != "" {
		if err := repo.CheckFrom(o.From); err != nil {
			return &packages.InputError{Err: err}
		}
	}
	pk, out := filepath.Join(o.Dist, "packages"), filepath.Join(o.Dist, "repo")
	res, err := packages.Run(ctx, packages.Options{Root: o.Root, Out: pk, Version: v.String(), Keys: o.Keys,
		Arches: o.Arches, DownloadURL: o.DownloadURL, Log: o.Log, Force: true})
	if err != nil {
		return err
	}
	if _, err := attest.Write(pk, res, o.Keys, o.Log); err != nil {
		return err
	}
	if err := repo.Build(ctx, repo.Options{Packages: pk, Out: out, Keys: o.Keys, BaseURL: o.BaseURL, Log: o.Log,
		From: o.From, Keep: o.Keep, Force: true}); err != nil {
		return err
	}
	stamp := time.Unix(res.SourceDateEpoch, 0).UTC()
	msg := "faas-runtime " + res.Version
	// The assets first: the formula and PKGBUILD that the repository and
	// tap publish point at the source archive among them.
	if o.Assets != "" {
		if err := Assets(pk, res, o.Keys, o.Assets); err != nil {
			return fmt.Errorf("release assets: %w", err)
		}
		fmt.Fprintf(o.Log, "release: assets in %s\n", o.Assets)
	}
	if o.S3 != "" {
		target, err := publish.ParseS3URL(o.S3)
		if err != nil {
			return &packages.InputError{Err: err}
		}
		st, err := publish.NewS3Store(ctx, target)
		if err != nil {
			return err
		}
		host, _ := os.Hostname()
		if _, err := publish.Publish(ctx, publish.Options{Dir: out, Store: st, Owner: fmt.Sprintf("faas-pkg release %s on %s", o.Tag, host),
			Grace: publish.DefaultGrace, Log: o.Log}); err != nil {
			return fmt.Errorf("publishing to %s: %w", o.S3, err)
		}
	}
	if o.Pages != "" {
		if err := pushTree(ctx, o.Pages, o.PagesBranch, out, msg, stamp, true, o.Log); err != nil {
			return fmt.Errorf("publishing to the Pages branch: %w", err)
		}
	}
	if o.Tap != "" {
		formulae := map[string]string{}
		for _, a := range res.Find("formula", "", "") {
			formulae[filepath.Join("Formula", filepath.Base(a.Path))] = filepath.Join(pk, a.Path)
		}
		if len(formulae) == 0 {
			return errors.New("the build made no Homebrew formula for the tap")
		}
		if err := pushFiles(ctx, o.Tap, "", formulae, msg, stamp, o.Log); err != nil {
			return fmt.Errorf("updating the tap: %w", err)
		}
	}
	fmt.Fprintf(o.Log, "release: %s released\n", res.Version)
	return nil
}

// Assets copies the release assets into dir: the packages under flat,
// unique names with their SBOMs, the source archive, the MSYS2 PKGBUILD
// and the Homebrew formula, then SHA256SUMS over all of them and its
// signature SHA256SUMS.asc.
func Assets(pk string, res *packages.Result, keys *signing.Keys, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	copyAs := func(src, name string) error {
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
	for _, a := range res.Files {
		name := packages.ReleaseAssetName(a)
		switch a.Kind {
		case "source":
			name = filepath.Base(a.Path)
		case "pkgbuild":
			name = "PKGBUILD" // MSYS2 users run makepkg-mingw beside it
		case "formula":
			name = filepath.Base(a.Path)
		}
		if name == "" {
			continue
		}
		if err := copyAs(filepath.Join(pk, a.Path), name); err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(pk, a.Path+attest.SBOMExtension)); err == nil {
			if err := copyAs(filepath.Join(pk, a.Path+attest.SBOMExtension), name+attest.SBOMExtension); err != nil {
				return err
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); n != attest.Checksums && n != attest.Signature && !e.IsDir() {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var sums strings.Builder
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return err
		}
		h := sha256.Sum256(data)
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(h[:]), n)
	}
	sumsPath := filepath.Join(dir, attest.Checksums)
	if err := os.WriteFile(sumsPath, []byte(sums.String()), 0o644); err != nil {
		return err
	}
	return attest.SignFile(sumsPath, filepath.Join(dir, attest.Signature), keys, time.Unix(res.SourceDateEpoch, 0).UTC())
}
