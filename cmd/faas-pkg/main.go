// Command faas-pkg builds faas-runtime's packages and package repositories:
//
//	go run ./cmd/faas-pkg packages [flags]   # dist/packages
//	go run ./cmd/faas-pkg repo [flags]       # dist/packages, then dist/repo
//	go run ./cmd/faas-pkg version            # the version every build uses
//	go run ./cmd/faas-pkg release-assets DIR # dist/packages' packages, flat, for the release
//	go run ./cmd/faas-pkg sign FILE SIG      # SIG: FILE's armored signature by the release key
//	go run ./cmd/faas-pkg publish DIR s3://BUCKET/PREFIX # upload a repository tree, clients never see a mix
//	go run ./cmd/faas-pkg release --tag vX.Y.Z --from URL # cut a release (docs/releasing.md)
//
// packages and repo also write an SPDX SBOM next to every package, binary
// and layer zip, and SHA256SUMS with its signature SHA256SUMS.asc
// (packaging/attest; docs/verify.md).
//
// Signing keys come from FAAS_PGP_KEY / FAAS_APK_KEY (see packaging/signing);
// without them throwaway keys are made under dist/keys. Exit status 2 is bad
// input (flags, keys, versions), 1 any other failure.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/flaglist"
	"github.com/faas-runtime/faas-runtime/packaging/attest"
	"github.com/faas-runtime/faas-runtime/packaging/packages"
	"github.com/faas-runtime/faas-runtime/packaging/pkgversion"
	"github.com/faas-runtime/faas-runtime/packaging/repo"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

func main() { os.Exit(run(os.Args[1:])) }

type usageError struct{ error }

func run(args []string) int {
	err := runErr(args)
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "faas-pkg:", err)
	var ue usageError
	var ie *packages.InputError
	if errors.As(err, &ue) || errors.As(err, &ie) {
		return 2
	}
	return 1
}

func runErr(args []string) error {
	if len(args) == 1 && args[0] == "version" {
		return printVersion()
	}
	if len(args) == 2 && args[0] == "release-assets" {
		return releaseAssets(filepath.Join("dist", "packages"), args[1])
	}
	if len(args) == 3 && args[0] == "sign" {
		return signFile(args[1], args[2])
	}
	if len(args) > 0 && args[0] == "publish" {
		return publishCmd(args[1:])
	}
	if len(args) > 0 && args[0] == "release" {
		return releaseCmd(args[1:])
	}
	if len(args) == 0 || (args[0] != "packages" && args[0] != "repo") {
		return usageError{errors.New("usage: faas-pkg version | release-assets DIR | sign FILE SIG | publish DIR s3://BUCKET/PREFIX | release --tag vX.Y.Z ... | packages|repo [--version V] [--formats rpm,deb,...] [--arches amd64,arm64] [--dist DIR] [--base-url URL] [--from DIR|URL] [--keep N] [--force]")}
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	dist := fs.String("dist", "dist", "output directory (packages/, repo/ and keys/ go under it)")
	ver := fs.String("version", os.Getenv("VERSION"), "release version (semver); default from git describe")
	formats := fs.String("formats", "", "comma-separated formats (default all: "+strings.Join(packages.Formats, ",")+")")
	arches := fs.String("arches", "", "comma-separated Go arches (default all: "+strings.Join(packages.Arches, ",")+")")
	baseURL := fs.String("base-url", envOr("FAAS_REPO_URL", repo.DefaultBaseURL), "URL the repository will be served from (written into .repo files and docs)")
	dlURL := fs.String("download-url", envOr("FAAS_DOWNLOAD_URL", packages.DefaultDownloadURL), "base URL of release assets (source archive)")
	force := fs.Bool("force", false, "replace output directories not made by this tool")
	root := fs.String("root", ".", "source tree")
	from := fs.String("from", os.Getenv("FAAS_REPO_FROM"), "repo: existing repository (directory or http(s) URL) to add this release to; its packages are kept byte for byte")
	keep := fs.Int("keep", 0, "repo: with --from, keep only the newest N releases (0: all)")
	transitionDir := fs.String("transition-keys", "", "repo: directory of earlier throwaway keys that also sign the metadata during a key rotation (real keys: "+envPrevious+"*)")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err}
	}
	var sde int64
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v <= 0 {
			return usageError{fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a positive Unix time", s)}
		}
		sde = v
	}
	// Check the cheap inputs before loading (or generating) keys.
	if _, err := packages.Targets(flaglist.Split(*formats), flaglist.Split(*arches)); err != nil {
		return usageError{err}
	}
	if *keep < 0 {
		return usageError{fmt.Errorf("--keep %d: want 0 (keep all) or a positive number of releases", *keep)}
	}
	if *from != "" {
		if args[0] != "repo" {
			return usageError{errors.New("--from is for faas-pkg repo")}
		}
		if err := repo.CheckFrom(*from); err != nil {
			return usageError{err}
		}
	}
	if *ver != "" {
		if _, err := pkgversion.Parse(*ver); err != nil {
			return usageError{err}
		}
	}
	if args[0] == "repo" {
		fm := flaglist.Split(*formats)
		if len(fm) == 0 {
			fm = packages.Formats
		}
		if err := repo.CheckTools(fm); err != nil {
			return err
		}
	}
	keys, err := signing.Load(os.Getenv, filepath.Join(*dist, "keys"), os.Stderr)
	if err != nil {
		return usageError{err}
	}
	transition, err := transitionKeys(*transitionDir)
	if err != nil {
		return usageError{err}
	}
	opts := packages.Options{
		Root: *root, Out: filepath.Join(*dist, "packages"), Version: *ver, SourceDateEpoch: sde,
		Keys: keys, Formats: flaglist.Split(*formats), Arches: flaglist.Split(*arches), DownloadURL: *dlURL,
		Log: os.Stderr, Force: *force,
	}
	res, err := packages.Run(context.Background(), opts)
	if err != nil {
		return err
	}
	if _, err := attest.Write(opts.Out, res, keys, os.Stderr); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "faas-pkg: %d files for version %s in %s\n", len(res.Files), res.Version, opts.Out)
	if args[0] == "packages" {
		return nil
	}
	out := filepath.Join(*dist, "repo")
	if err := repo.Build(context.Background(), repo.Options{
		Packages: opts.Out, Out: out, Keys: keys, BaseURL: *baseURL, Log: os.Stderr, Force: *force,
		From: *from, Keep: *keep, Transition: transition,
	}); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "faas-pkg: repository in %s (serve it at %s)\n", out, *baseURL)
	if keys.Throwaway {
		fmt.Fprintf(os.Stderr, "faas-pkg: WARNING: signed with THROWAWAY keys from %s: for testing only\n", filepath.Join(*dist, "keys"))
	}
	return nil
}

// envPrevious prefixes the variables naming the earlier keys during a key
// rotation: FAAS_PREVIOUS_FAAS_PGP_KEY is read as FAAS_PGP_KEY, and so on.
const envPrevious = "FAAS_PREVIOUS_"

// transitionKeys loads the earlier keys that keep signing the metadata
// while users move to the new key: from dir (throwaway keys) or from the
// FAAS_PREVIOUS_* variables. None: no transition.
func transitionKeys(dir string) ([]*signing.Keys, error) {
	prev := func(k string) string { return os.Getenv(envPrevious + k) }
	switch {
	case dir != "":
		if _, err := os.Stat(filepath.Join(dir, signing.ThrowawayPGP)); err != nil {
			return nil, fmt.Errorf("--transition-keys %s: no throwaway keys there: %w", dir, err)
		}
		k, err := signing.Load(func(k string) string {
			if k == signing.EnvAPKKeyName {
				return prev(k)
			}
			return ""
		}, dir, io.Discard)
		if err != nil {
			return nil, err
		}
		return []*signing.Keys{k}, nil
	case prev(signing.EnvPGPKey) != "" || prev(signing.EnvAPKKey) != "":
		k, err := signing.Load(prev, "", io.Discard)
		if err != nil {
			return nil, fmt.Errorf("previous keys (%s*): %w", envPrevious, err)
		}
		return []*signing.Keys{k}, nil
	}
	return nil, nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// printVersion prints the release version: VERSION if set, else the one
// packaging/pkgversion derives from git describe. The Makefile's -ldflags and
// GoReleaser's snapshot name take it from here, so binaries and packages
// agree between tags too.
func printVersion() error {
	v, err := pkgversion.Current(".")
	if err != nil {
		if os.Getenv("VERSION") != "" {
			return usageError{err}
		}
		return err
	}
	fmt.Println(v)
	return nil
}

// releaseAssets copies the packages of dir (a faas-pkg packages output)
// into out under unique flat names, for GoReleaser's release.extra_files:
// the release publishes the same signed packages as the repositories.
func releaseAssets(dir, out string) error {
	m, err := packages.ReadManifest(dir)
	if err != nil {
		return fmt.Errorf("no packages in %s (run faas-pkg packages first): %w", dir, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, a := range m.Files {
		name := packages.ReleaseAssetName(a)
		if name == "" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, a.Path))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
			return err
		}
		// The package's SBOM goes along, named after the asset.
		if sb, err := os.ReadFile(filepath.Join(dir, a.Path+attest.SBOMExtension)); err == nil {
			if err := os.WriteFile(filepath.Join(out, name+attest.SBOMExtension), sb, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// signFile signs FILE for GoReleaser's signs: section (its SHA256SUMS)
// with the release key, as faas-pkg signs its own SHA256SUMS, dated
// SOURCE_DATE_EPOCH (else the commit time).
func signFile(file, sig string) error {
	keys, err := signing.Load(os.Getenv, filepath.Join("dist", "keys"), os.Stderr)
	if err != nil {
		return usageError{err}
	}
	at, err := packages.CommitTime(".")
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		at, err = strconv.ParseInt(s, 10, 64)
	}
	if err != nil {
		return fmt.Errorf("signature time: %w", err)
	}
	return attest.SignFile(file, sig, keys, time.Unix(at, 0).UTC())
}
