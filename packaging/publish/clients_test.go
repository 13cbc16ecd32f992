package publish_test

// The promise of faas-pkg publish, with the real clients: while 0.2.0 is
// being published over 0.1.0, and after the publisher is killed at random
// points and resumed, dnf, microdnf, apk 2 and 3, apt and pacman install
// from the bucket's anonymous HTTP view in a loop. Every install must
// succeed and give 0.1.0 or 0.2.0, never going back once 0.2.0 was seen.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/publish"
	"github.com/faas-runtime/faas-runtime/packaging/publish/s3test"
	"github.com/faas-runtime/faas-runtime/packaging/repotest"
)

// The test binary publishes in a child process of itself so that it can be
// killed with SIGKILL, as a CI runner that is cancelled would be.
const childEnv = "FAAS_PUBLISH_TEST_CHILD"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		dir, dest, _ := strings.Cut(spec, "|")
		target, err := publish.ParseS3URL(dest)
		if err == nil {
			var st *publish.S3Store
			if st, err = publish.NewS3Store(context.Background(), target); err == nil {
				_, err = publish.Publish(context.Background(), publish.Options{Dir: dir, Store: st,
					Owner: fmt.Sprintf("test child %d", os.Getpid()), LockTTL: childTTL, Grace: time.Hour, Log: os.Stderr})
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "publish:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const childTTL = 3 * time.Second

func TestPublishWhileClientsInstall(t *testing.T) {
	testutil.Slow(t, "installs with six package managers in a loop")
	h := repotest.HistoryRepo(t)
	clients := repotest.Clients(t, h.Dir)
	srv := s3test.Start(t)
	srv.CreateBucket(t, "faas")
	dest, base := "s3://faas/repo", srv.URL("faas", "repo")
	child := func(dir string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(append(os.Environ(), srv.Env()...), childEnv+"="+dir+"|"+dest)
		return cmd
	}
	start := time.Now()
	if out, err := child(h.First).CombinedOutput(); err != nil {
		t.Fatalf("publishing 0.1.0: %v\n%s", err, out)
	}
	full := time.Since(start)
	t.Logf("0.1.0 published in %s", full.Round(time.Millisecond))

	loop := repotest.StartLoop(clients, base, 0, "0.1.0", "0.2.0")
	// 0.2.0: killed at random points, then resumed until it completes.
	kills := 0
	for attempt := 0; ; attempt++ {
		cmd := child(h.Dir)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if attempt < 6 {
			// A resumed publisher first waits out the killed one's lease.
			wait := time.Duration(rand.Int64N(int64(childTTL + 2*full)))
			if attempt == 0 {
				wait = time.Duration(rand.Int64N(int64(full) + 1))
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("publish of 0.2.0 failed: %v\n%s", err, out.String())
				}
				t.Logf("publish attempt %d completed before its kill at %s", attempt, wait.Round(time.Millisecond))
			case <-time.After(wait):
				syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
				<-done
				kills++
				t.Logf("publish attempt %d killed after %s:\n%s", attempt, wait.Round(time.Millisecond), tail(out.String()))
				continue
			}
		} else if err := <-done; err != nil {
			t.Fatalf("publish of 0.2.0 (resumed) failed: %v\n%s", err, out.String())
		}
		break
	}
	loop.Published()
	during, failures := loop.Finish(t, "s3", 2)
	t.Logf("s3: %d installs during the publish of 0.2.0 (%d kills), %d failures", during, kills, failures)
}

func tail(s string) string {
	if len(s) > 1500 {
		return "…" + s[len(s)-1500:]
	}
	return s
}
