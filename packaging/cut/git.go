package cut

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// The Pages branch and the tap are git repositories: the release commits
// to a fresh shallow clone and pushes, as a CI job with a deploy key would.
// Plain git (not a library): the credentials, hooks and transports the
// user's git is configured with are the ones that must work.

// gitIdentity is the release's committer; the time is the release's
// SOURCE_DATE_EPOCH, so the same release gives the same commit.
func gitEnv(stamp time.Time) []string {
	d := stamp.Format(time.RFC3339)
	return []string{"GIT_AUTHOR_NAME=faas-runtime release", "GIT_AUTHOR_EMAIL=release@faas-runtime.invalid",
		"GIT_COMMITTER_NAME=faas-runtime release", "GIT_COMMITTER_EMAIL=release@faas-runtime.invalid",
		"GIT_AUTHOR_DATE=" + d, "GIT_COMMITTER_DATE=" + d, "GIT_TERMINAL_PROMPT=0"}
}

func git(ctx context.Context, dir string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String(), nil
}

// checkout clones branch of url into a temporary directory; a repository
// (or branch) that does not exist yet starts as an empty orphan branch.
func checkout(ctx context.Context, url, branch string, env []string) (string, error) {
	dir, err := os.MkdirTemp("", "faas-release-git-")
	if err != nil {
		return "", err
	}
	args := []string{"clone", "--quiet", "--depth", "1"}
	if branch != "" {
		args = append(args, "--branch", branch)
	}
	if _, err := git(ctx, "", env, append(args, url, dir)...); err == nil {
		return dir, nil
	}
	// No such branch (or an empty repository): start it.
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	steps := [][]string{{"init", "--quiet"}, {"remote", "add", "origin", url}}
	if branch != "" {
		steps = append(steps, []string{"checkout", "--quiet", "--orphan", branch})
	}
	for _, a := range steps {
		if _, err := git(ctx, dir, env, a...); err != nil {
			os.RemoveAll(dir)
			return "", err
		}
	}
	return dir, nil
}

// commitAndPush commits everything in dir and pushes HEAD to branch (the
// default branch when empty); nothing to commit is not an error.
func commitAndPush(ctx context.Context, dir, branch, msg string, env []string, log io.Writer) error {
	if _, err := git(ctx, dir, env, "add", "--all"); err != nil {
		return err
	}
	if st, err := git(ctx, dir, env, "status", "--porcelain"); err != nil {
		return err
	} else if strings.TrimSpace(st) == "" {
		fmt.Fprintf(log, "release: %s unchanged\n", dir)
		return nil
	}
	if _, err := git(ctx, dir, env, "-c", "commit.gpgsign=false", "commit", "--quiet", "-m", msg); err != nil {
		return err
	}
	ref := "HEAD"
	if branch != "" {
		ref = "HEAD:refs/heads/" + branch
	} else if b, err := git(ctx, dir, env, "symbolic-ref", "--short", "HEAD"); err == nil {
		ref = "HEAD:refs/heads/" + strings.TrimSpace(b)
	}
	_, err := git(ctx, dir, env, "push", "--quiet", "origin", ref)
	return err
}

// pushTree makes branch of url hold exactly tree (plus .nojekyll, so Pages
// serves files whose names start with _ or .) and pushes it.
func pushTree(ctx context.Context, url, branch, tree, msg string, stamp time.Time, pages bool, log io.Writer) error {
	env := gitEnv(stamp)
	dir, err := checkout(ctx, url, branch, env)
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := replaceKeepingRetired(dir, tree); err != nil {
		return err
	}
	if pages {
		if err := os.WriteFile(filepath.Join(dir, ".nojekyll"), nil, 0o644); err != nil {
			return err
		}
	}
	if err := commitAndPush(ctx, dir, branch, msg, env, log); err != nil {
		return err
	}
	fmt.Fprintf(log, "release: pushed the repository to %s (%s)\n", url, branch)
	return nil
}

// pushFiles writes files (path in the repository -> local file) into the
// default branch of url and pushes.
func pushFiles(ctx context.Context, url, branch string, files map[string]string, msg string, stamp time.Time, log io.Writer) error {
	env := gitEnv(stamp)
	dir, err := checkout(ctx, url, branch, env)
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for rel, src := range files {
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	if err := commitAndPush(ctx, dir, branch, msg, env, log); err != nil {
		return err
	}
	fmt.Fprintf(log, "release: pushed %d file(s) to %s\n", len(files), url)
	return nil
}

// RetiredList names the files a Pages tree keeps from the release before.
const RetiredList = ".retired"

// replaceKeepingRetired makes dir (a checkout) hold tree, except that the
// files the previous tree had and tree lacks (the previous release's
// repodata and by-hash indexes, packages beyond --keep) stay for one more
// release, listed in RetiredList: Pages switches the whole site at once,
// and a client that read the previous repomd.xml or InRelease just before
// must still find the files it names. Files already listed there go now.
func replaceKeepingRetired(dir, tree string) error {
	old, err := listFiles(dir)
	if err != nil {
		return err
	}
	retiredBefore := map[string]bool{}
	if b, err := os.ReadFile(filepath.Join(dir, RetiredList)); err == nil {
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			retiredBefore[l] = true
		}
	}
	next, err := listFiles(tree)
	if err != nil {
		return err
	}
	var keep []string
	for f := range old {
		switch {
		case next[f]:
		case f == RetiredList || f == ".nojekyll" || retiredBefore[f]:
			if err := os.Remove(filepath.Join(dir, f)); err != nil {
				return err
			}
		default:
			keep = append(keep, f)
		}
	}
	if err := copyTree(tree, dir); err != nil {
		return err
	}
	sort.Strings(keep)
	if len(keep) == 0 {
		return nil
	}
	return os.WriteFile(filepath.Join(dir, RetiredList), []byte(strings.Join(keep, "\n")+"\n"), 0o644)
}

// listFiles returns the regular files under dir (slash paths), without .git.
func listFiles(dir string) (map[string]bool, error) {
	out := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	return out, err
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
