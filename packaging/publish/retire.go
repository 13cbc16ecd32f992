package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// state is StateKey's content: since when each object the published
// indexes no longer name has been unnamed.
type state struct {
	UnnamedSince map[string]time.Time `json:"unnamed_since"`
}

// retire deletes the objects that the tree just published does not hold
// and that have been unnamed for at least the grace period; the others are
// recorded as unnamed from now. Every file a published index names is in
// the tree, so none of those is ever deleted; a client still holding the
// previous index finds its files for the grace period.
func retire(ctx context.Context, opts Options, local map[string]localFile, remote map[string]string, lock *Lock) (retired, deleted int, err error) {
	st := state{UnnamedSince: map[string]time.Time{}}
	if data, _, err := opts.Store.Get(ctx, StateKey); err == nil {
		if err := json.Unmarshal(data, &st); err != nil {
			return 0, 0, fmt.Errorf("%s: %w", StateKey, err)
		}
		if st.UnnamedSince == nil {
			st.UnnamedSince = map[string]time.Time{}
		}
	} else if !errors.Is(err, ErrNotFound) {
		return 0, 0, err
	}
	now := time.Now().UTC()
	var stale []string
	for k := range remote {
		if _, ok := local[k]; ok || strings.HasPrefix(k, ".publish/") {
			continue
		}
		// A file unnamed only now is kept at least until the next publish,
		// whatever the grace period: a client may have just read the index
		// that named it.
		since, recorded := st.UnnamedSince[k]
		if recorded && now.Sub(since) >= opts.Grace {
			stale = append(stale, k)
			continue
		}
		if !recorded {
			st.UnnamedSince[k] = now
		}
		retired++
	}
	for k := range st.UnnamedSince {
		if _, gone := remote[k]; !gone {
			delete(st.UnnamedSince, k)
		}
		if _, back := local[k]; back {
			delete(st.UnnamedSince, k)
		}
	}
	// Record first: a publish killed while deleting leaves a state that
	// still lists what it had not deleted yet.
	if err := putState(ctx, opts.Store, st); err != nil {
		return 0, 0, err
	}
	sort.Strings(stale)
	for _, k := range stale {
		if err := lock.Held(); err != nil {
			return retired, deleted, err
		}
		if err := opts.Store.Delete(ctx, k); err != nil && !errors.Is(err, ErrNotFound) {
			return retired, deleted, err
		}
		delete(st.UnnamedSince, k)
		deleted++
	}
	if deleted > 0 {
		err = putState(ctx, opts.Store, st)
	}
	return retired, deleted, err
}

func putState(ctx context.Context, s Store, st state) error {
	b, _ := json.MarshalIndent(st, "", "  ")
	_, err := s.Put(ctx, StateKey, append(b, '\n'), PutOptions{ContentType: "application/json", CacheControl: "no-store"})
	return err
}
