package publish_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/packaging/publish"
	"github.com/faas-runtime/faas-runtime/packaging/publish/s3test"
)

func newStore(t *testing.T, srv *s3test.Server, bucket, prefix string) *publish.S3Store {
	t.Helper()
	srv.CreateBucket(t, bucket)
	return &publish.S3Store{Client: srv.Client(), Target: publish.S3Target{Bucket: bucket, Prefix: prefix}}
}

// The lock rests on the server evaluating If-None-Match: * and If-Match
// atomically; check that SeaweedFS does before trusting it.
func TestConditionalWritesAreAtomic(t *testing.T) {
	srv := s3test.Start(t)
	st := newStore(t, srv, "cond", "p")
	ctx := context.Background()
	const n = 8
	var won atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := st.Put(ctx, "k", []byte{byte(i)}, publish.PutOptions{IfNoneMatch: true})
			switch {
			case err == nil:
				won.Add(1)
			case !errors.Is(err, publish.ErrPrecondition):
				t.Errorf("put %d: %v", i, err)
			}
		}(i)
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d of %d concurrent If-None-Match: * writes succeeded, want exactly 1", won.Load(), n)
	}
	_, etag, err := st.Get(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	var matched atomic.Int32
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if _, err := st.Put(ctx, "k", []byte{byte(100 + i)}, publish.PutOptions{IfMatch: etag}); err == nil {
				matched.Add(1)
			} else if !errors.Is(err, publish.ErrPrecondition) {
				t.Errorf("if-match put %d: %v", i, err)
			}
		}(i)
	}
	wg.Wait()
	if matched.Load() != 1 {
		t.Fatalf("%d of %d concurrent If-Match writes on one ETag succeeded, want exactly 1", matched.Load(), n)
	}
}

func TestLock(t *testing.T) {
	srv := s3test.Start(t)
	st := newStore(t, srv, "lock", "repo")
	ctx := context.Background()
	ttl := 1500 * time.Millisecond

	a, err := publish.AcquireLock(ctx, st, "a", "tree", ttl, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	// A second publisher sees the lease renewed and gives up.
	if _, err := publish.AcquireLock(ctx, st, "b", "tree", ttl, os.Stderr); !errors.Is(err, publish.ErrLocked) {
		t.Fatalf("second publisher: %v, want ErrLocked", err)
	}
	if err := a.Held(); err != nil {
		t.Fatalf("a lost its lock: %v", err)
	}
	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}

	// A killed publisher's lock (never renewed) is taken over after a TTL.
	if _, err := st.Put(ctx, publish.LockKey, []byte(`{"owner":"killed"}`), publish.PutOptions{IfNoneMatch: true}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	c, err := publish.AcquireLock(ctx, st, "c", "tree", ttl, os.Stderr)
	if err != nil {
		t.Fatalf("taking over a stale lock: %v", err)
	}
	if time.Since(start) < ttl {
		t.Errorf("took over after %s, before the TTL %s", time.Since(start), ttl)
	}
	// Someone overwriting the lock behind c's back: c notices at its next renewal.
	if _, err := st.Put(ctx, publish.LockKey, []byte(`{"owner":"intruder"}`), publish.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(ttl)
	if err := c.Held(); err == nil {
		t.Fatal("c still believes it holds the lock after it was overwritten")
	}
}

// failingStore fails every Put after the first n, as a publisher killed
// mid-way would stop.
type failingStore struct {
	publish.Store
	n, puts int
	mu      sync.Mutex
}

func (f *failingStore) Put(ctx context.Context, k string, b []byte, o publish.PutOptions) (string, error) {
	f.mu.Lock()
	f.puts++
	fail := f.puts > f.n && k != publish.LockKey
	f.mu.Unlock()
	if fail {
		return "", errors.New("injected failure")
	}
	return f.Store.Put(ctx, k, b, o)
}

func writeTree(t *testing.T, files map[string]string) string {
	dir := t.TempDir()
	for k, v := range files {
		p := filepath.Join(dir, k)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPublishResumeAndRetire(t *testing.T) {
	srv := s3test.Start(t)
	st := newStore(t, srv, "pub", "repo")
	ctx := context.Background()
	v1 := writeTree(t, map[string]string{
		"REPO.json": `{"version":"0.1.0"}`, "alpine/x86_64/APKINDEX.tar.gz": "index 1",
		"alpine/x86_64/a-0.1.0.apk": "a1", "rpm/repodata/111-primary.xml.gz": "p1", "rpm/repodata/repomd.xml": "md 1",
	})
	opts := publish.Options{Dir: v1, Store: st, Owner: "test", LockTTL: time.Second, Grace: time.Hour}
	// Killed after 2 uploads (the lock is one of them): nothing but content is up.
	opts.Store = &failingStore{Store: st, n: 2}
	if _, err := publish.Publish(ctx, opts); err == nil {
		t.Fatal("the injected failure did not fail the publish")
	}
	objs, err := st.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, idx := range []string{"REPO.json", "alpine/x86_64/APKINDEX.tar.gz", "rpm/repodata/repomd.xml"} {
		if _, ok := objs[idx]; ok {
			t.Errorf("%s was uploaded before the content it names", idx)
		}
	}
	// Run again: it resumes, uploading only what is missing.
	opts.Store = st
	rep, err := publish.Publish(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Unchanged != 1 || rep.Uploaded != 4 {
		t.Errorf("resume: %+v, want 1 unchanged (uploaded before the failure) and 4 uploaded", rep)
	}
	if code, body, _ := s3test.Get(srv.URL("pub", "repo") + "/alpine/x86_64/APKINDEX.tar.gz"); code != 200 || string(body) != "index 1" {
		t.Errorf("anonymous GET of the index: %d %q", code, body)
	}

	// 0.2.0 replaces the repodata: the old one is kept (a client may hold
	// the old repomd.xml), then deleted by a later publish after the grace.
	v2 := writeTree(t, map[string]string{
		"REPO.json": `{"version":"0.2.0"}`, "alpine/x86_64/APKINDEX.tar.gz": "index 2",
		"alpine/x86_64/a-0.1.0.apk": "a1", "alpine/x86_64/a-0.2.0.apk": "a2",
		"rpm/repodata/222-primary.xml.gz": "p2", "rpm/repodata/repomd.xml": "md 2",
	})
	opts.Dir, opts.Grace = v2, 0
	if rep, err = publish.Publish(ctx, opts); err != nil {
		t.Fatal(err)
	}
	if rep.Retired != 1 || rep.Deleted != 0 {
		t.Errorf("first publish of 0.2.0: %+v, want the old repodata retired (kept), none deleted", rep)
	}
	if code, _, _ := s3test.Get(srv.URL("pub", "repo") + "/rpm/repodata/111-primary.xml.gz"); code != 200 {
		t.Errorf("the old repodata was deleted at once (GET %d)", code)
	}
	if rep, err = publish.Publish(ctx, opts); err != nil {
		t.Fatal(err)
	}
	if rep.Deleted != 1 || rep.Uploaded != 0 {
		t.Errorf("second publish of 0.2.0: %+v, want the old repodata deleted and nothing else uploaded", rep)
	}
	if code, _, _ := s3test.Get(srv.URL("pub", "repo") + "/rpm/repodata/111-primary.xml.gz"); code != 404 {
		t.Errorf("the old repodata is still served after its grace (GET %d)", code)
	}
	if _, _, err := st.Get(ctx, publish.LockKey); !errors.Is(err, publish.ErrNotFound) {
		t.Errorf("the lock was left behind: %v", err)
	}
}
