package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/faas-runtime/faas-runtime/internal/flaglist"
	"github.com/faas-runtime/faas-runtime/packaging/cut"
	"github.com/faas-runtime/faas-runtime/packaging/packages"
	"github.com/faas-runtime/faas-runtime/packaging/repo"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

// releaseCmd: faas-pkg release --tag vX.Y.Z (--from URL | --first) [--pages GIT] [--s3 URL] [--tap GIT] [--assets DIR]
// Every setting has an environment variable, so the workflow passes none
// on the command line; the secret keys come only from the environment.
func releaseCmd(args []string) error {
	keep, _ := strconv.Atoi(envOr("FAAS_RELEASE_KEEP", "0"))
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	tag := fs.String("tag", os.Getenv("FAAS_RELEASE_TAG"), "the release tag, vX.Y.Z (FAAS_RELEASE_TAG)")
	from := fs.String("from", os.Getenv("FAAS_RELEASE_FROM"), "the published repository (URL) to add this release to (FAAS_RELEASE_FROM)")
	first := fs.Bool("first", false, "the project's first release: no published repository yet")
	keepN := fs.Int("keep", keep, "keep only the newest N releases in the repository, 0 all (FAAS_RELEASE_KEEP)")
	baseURL := fs.String("base-url", envOr("FAAS_REPO_URL", repo.DefaultBaseURL), "where the repository is served (FAAS_REPO_URL)")
	dlURL := fs.String("download-url", envOr("FAAS_DOWNLOAD_URL", packages.DefaultDownloadURL), "where the release assets are served (FAAS_DOWNLOAD_URL)")
	pages := fs.String("pages", os.Getenv("FAAS_PAGES_REPO"), "git URL of the repository whose Pages branch serves the package repository (FAAS_PAGES_REPO)")
	pagesBranch := fs.String("pages-branch", envOr("FAAS_PAGES_BRANCH", "gh-pages"), "the Pages branch (FAAS_PAGES_BRANCH)")
	s3 := fs.String("s3", os.Getenv("FAAS_RELEASE_S3"), "publish the repository to s3://BUCKET/PREFIX too (FAAS_RELEASE_S3; AWS_* credentials)")
	tap := fs.String("tap", os.Getenv("FAAS_TAP_REPO"), "git URL of the Homebrew tap (FAAS_TAP_REPO)")
	assets := fs.String("assets", envOr("FAAS_RELEASE_ASSETS", filepath.Join("dist", "release")), "directory for the release assets, SHA256SUMS and SHA256SUMS.asc (FAAS_RELEASE_ASSETS)")
	releaseKeys := fs.String("release-keys", filepath.Join("packaging", "keys", "release"), "the committed public release keys the signing keys must be among")
	dist := fs.String("dist", "dist", "work directory")
	arches := fs.String("arches", "", "comma-separated Go arches (default all)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() != 0 {
		return usageError{fmt.Errorf("release takes no arguments, got %q", fs.Args())}
	}
	if *tag == "" {
		return usageError{errors.New("--tag vX.Y.Z (or FAAS_RELEASE_TAG) is required")}
	}
	if os.Getenv(signing.EnvPGPKey) == "" || os.Getenv(signing.EnvAPKKey) == "" {
		return usageError{fmt.Errorf("refusing to release without the release keys: set %s and %s (docs/releasing.md); throwaway keys never sign a release", signing.EnvPGPKey, signing.EnvAPKKey)}
	}
	keys, err := signing.Load(os.Getenv, "", os.Stderr)
	if err != nil {
		return usageError{err}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cut.Run(ctx, cut.Options{Root: ".", Tag: *tag, Dist: *dist, Keys: keys, ReleaseKeys: *releaseKeys,
		From: *from, First: *first, Keep: *keepN, BaseURL: *baseURL, DownloadURL: *dlURL, Arches: flaglist.Split(*arches),
		Pages: *pages, PagesBranch: *pagesBranch, S3: *s3, Tap: *tap, Assets: *assets, Log: os.Stderr})
}
