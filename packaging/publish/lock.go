package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// LockKey is the lease two publishers of one prefix contend for.
const LockKey = ".publish/lock"

// The lock is a lease held by conditional writes only (no clock is
// compared across machines): it is taken with If-None-Match: * (create
// only if absent), kept alive by rewriting it with If-Match on its own
// ETag every TTL/3, and taken over with If-Match on the ETag a waiter saw
// unchanged for a whole TTL (its holder was killed). Both conditions are
// atomic on S3 (and on SeaweedFS, which evaluates them under a per-object
// write lock), so exactly one publisher holds the lease at a time.
type lockBody struct {
	Owner   string    `json:"owner"`
	Tree    string    `json:"tree"` // the digest of the tree being published
	Started time.Time `json:"started"`
	Beat    int       `json:"beat"`
}

// Lock is a held lease; Held reports whether it is still ours.
type Lock struct {
	store Store
	ttl   time.Duration
	log   io.Writer

	mu   sync.Mutex
	etag string
	body lockBody
	lost error
	stop chan struct{}
	done chan struct{}
}

// ErrLocked: another publisher is alive and holds the lock.
var ErrLocked = errors.New("another publisher holds the lock")

// AcquireLock takes the lease, waiting up to one TTL to decide whether a
// lock found in place is stale.
func AcquireLock(ctx context.Context, s Store, owner, tree string, ttl time.Duration, log io.Writer) (*Lock, error) {
	l := &Lock{store: s, ttl: ttl, log: log, body: lockBody{Owner: owner, Tree: tree, Started: time.Now().UTC()}}
	for attempt := 0; attempt < 3; attempt++ {
		etag, err := s.Put(ctx, LockKey, l.encode(), PutOptions{IfNoneMatch: true, ContentType: "application/json", CacheControl: "no-store"})
		if err == nil {
			l.start(etag)
			return l, nil
		}
		if !errors.Is(err, ErrPrecondition) {
			return nil, fmt.Errorf("taking the publish lock: %w", err)
		}
		took, err := l.takeOverStale(ctx)
		if err != nil {
			return nil, err
		}
		if took {
			return l, nil
		}
		// The lock went away while we watched it: try to create it again.
	}
	return nil, fmt.Errorf("taking the publish lock: %w", ErrLocked)
}

// takeOverStale watches the lock for one TTL: a live holder rewrites it
// (ErrLocked); an unchanged one is taken over with If-Match.
func (l *Lock) takeOverStale(ctx context.Context) (bool, error) {
	data, seen, err := l.store.Get(ctx, LockKey)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var other lockBody
	_ = json.Unmarshal(data, &other)
	fmt.Fprintf(l.log, "publish: lock held by %s (started %s); waiting %s to see whether it is alive\n",
		other.Owner, other.Started.Format(time.RFC3339), l.ttl)
	deadline := time.Now().Add(l.ttl)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(l.ttl / 8):
		}
		_, etag, err := l.store.Get(ctx, LockKey)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if etag != seen {
			return false, fmt.Errorf("%w: %s (its lease is being renewed); try again when it is done", ErrLocked, other.Owner)
		}
	}
	etag, err := l.store.Put(ctx, LockKey, l.encode(), PutOptions{IfMatch: seen, ContentType: "application/json", CacheControl: "no-store"})
	if errors.Is(err, ErrPrecondition) || errors.Is(err, ErrNotFound) {
		return false, fmt.Errorf("%w: another publisher took over the stale lock of %s first", ErrLocked, other.Owner)
	}
	if err != nil {
		return false, err
	}
	fmt.Fprintf(l.log, "publish: took over the stale lock of %s (unchanged for %s)\n", other.Owner, l.ttl)
	l.start(etag)
	return true, nil
}

func (l *Lock) encode() []byte {
	b, _ := json.Marshal(l.body)
	return b
}

func (l *Lock) start(etag string) {
	l.etag = etag
	l.stop, l.done = make(chan struct{}), make(chan struct{})
	go l.heartbeat()
}

// heartbeat renews the lease; losing it (another publisher took it over
// after our renewals failed for a TTL) is reported by Held.
func (l *Lock) heartbeat() {
	defer close(l.done)
	lastOK := time.Now()
	for {
		select {
		case <-l.stop:
			return
		case <-time.After(l.ttl / 3):
		}
		l.mu.Lock()
		l.body.Beat++
		body, etag := l.encode(), l.etag
		l.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), l.ttl/3)
		next, err := l.store.Put(ctx, LockKey, body, PutOptions{IfMatch: etag, ContentType: "application/json", CacheControl: "no-store"})
		cancel()
		l.mu.Lock()
		switch {
		case err == nil:
			l.etag, lastOK = next, time.Now()
		case errors.Is(err, ErrPrecondition), errors.Is(err, ErrNotFound):
			l.lost = fmt.Errorf("the publish lock was taken by another publisher: %w", err)
		case time.Since(lastOK) > l.ttl/2:
			l.lost = fmt.Errorf("the publish lock could not be renewed for %s: %w", time.Since(lastOK).Round(time.Millisecond), err)
		}
		lost := l.lost != nil
		l.mu.Unlock()
		if lost {
			return
		}
	}
}

// Held returns nil while the lease is ours.
func (l *Lock) Held() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}

// Release stops renewing and deletes the lock if it is still ours.
func (l *Lock) Release(ctx context.Context) error {
	close(l.stop)
	<-l.done
	if err := l.Held(); err != nil {
		return err
	}
	_, etag, err := l.store.Get(ctx, LockKey)
	if err != nil {
		return err
	}
	if etag != l.etag {
		return errors.New("the publish lock changed hands before it was released")
	}
	return l.store.Delete(ctx, LockKey)
}
