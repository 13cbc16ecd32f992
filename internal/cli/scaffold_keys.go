package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/faas-runtime/faas-runtime/internal/scaffold"
	"github.com/faas-runtime/faas-runtime/internal/scaffold/trust"
)

// fetchTimeout bounds --repo-url's key download.
const fetchTimeout = 30 * time.Second

// noKeysHelp is what to do when this runtime-init has no release keys.
const noKeysHelp = "runtime-init scaffold pins the package repository's public key in the project (keys/), and " +
	"this runtime-init has no faas-runtime release keys built in (none are published yet; a release build " +
	"embeds them from packaging/keys/release). Name your repository's key:\n" +
	"  --repo-key FILE   the public key file: OpenPGP for rpm and apt (make repo writes dist/repo/rpm/RPM-GPG-KEY-faas-runtime),\n" +
	"                    RSA named NAME.rsa.pub for apk (dist/repo/alpine/faas-runtime.rsa.pub)\n" +
	"  --repo-url URL    the repository (served from dist/repo, or yours): its key is fetched once, and its fingerprint printed"

// repoKeys sets opts.Keys (and opts.RepoURL for repoURL, from --repo-url,
// FAAS_REPO_URL or the prompt): from --repo-key files (FAAS_REPO_KEY),
// else fetched from repoURL, else the release keys.
func repoKeys(c *ucli.Context, opts *scaffold.Options, repoURL string) error {
	var base string
	if repoURL != "" {
		u, err := trust.CheckURL(repoURL)
		if err != nil {
			return Usagef("%v", err)
		}
		base, opts.RepoURL = u, u
	}
	var err error
	switch {
	case len(c.StringSlice("repo-key")) > 0:
		if opts.Keys, err = trust.FromFiles(c.StringSlice("repo-key")); err != nil {
			return Usagef("%v", err)
		}
	case base != "":
		ctx, cancel := context.WithTimeout(c.Context, fetchTimeout)
		defer cancel()
		client := &http.Client{Timeout: fetchTimeout}
		if opts.Keys, err = trust.Fetch(ctx, client, base, scaffold.KeysNeeded(opts.Base)); err != nil {
			return fmt.Errorf("%w; nothing was written", err)
		}
		if strings.HasPrefix(base, "http://") {
			fmt.Fprintf(c.App.ErrWriter, "runtime-init scaffold: warning: the key was fetched over plain http from %s: "+
				"check its fingerprint with the repository's owner before you trust it\n", base)
		}
	default:
		if opts.Keys, err = trust.Release(); errors.Is(err, trust.ErrNoReleaseKeys) {
			return Usagef("%s", noKeysHelp)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// printKeys shows the pinned keys' fingerprints, to compare with the ones
// the repository's owner publishes.
func printKeys(w io.Writer, opts scaffold.Options) {
	keys, err := scaffold.ProjectKeys(opts)
	if err != nil {
		return // Render has reported it
	}
	fmt.Fprintf(w, "repository key pinned (from %s):\n", opts.Keys.Origin)
	for _, k := range keys {
		fmt.Fprintf(w, "  %s  %s  %s\n", k.Path, k.Kind, k.Fingerprint)
	}
}
