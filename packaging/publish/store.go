package publish

import (
	"context"
	"errors"
)

// Store is the object store a repository is published to: keys are
// relative to the target's prefix.
type Store interface {
	// List returns every object under the prefix with its ETag (unquoted).
	List(ctx context.Context) (map[string]string, error)
	// Get returns an object and its ETag, or ErrNotFound.
	Get(ctx context.Context, key string) (data []byte, etag string, err error)
	// Put writes an object and returns its ETag. A failed condition is
	// ErrPrecondition.
	Put(ctx context.Context, key string, data []byte, opts PutOptions) (etag string, err error)
	Delete(ctx context.Context, key string) error
}

// PutOptions are an upload's headers and its condition.
type PutOptions struct {
	ContentType  string
	CacheControl string
	// IfNoneMatch: write only if no object has the key (If-None-Match: *).
	IfNoneMatch bool
	// IfMatch: write only if the object's ETag is this one (If-Match).
	IfMatch string
}

var (
	ErrNotFound     = errors.New("no such object")
	ErrPrecondition = errors.New("precondition failed")
)
