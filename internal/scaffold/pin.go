package scaffold

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/name"
)

// PinError says which reference could not be resolved.
type PinError struct {
	Ref string
	Err error
}

func (e *PinError) Error() string {
	return fmt.Sprintf("--pin: cannot resolve %s to a digest (is the registry reachable? run without --pin to keep tags): %v", e.Ref, e.Err)
}

func (e *PinError) Unwrap() error { return e.Err }

// Pin resolves every image reference to its digest and returns them as
// name:tag@sha256:... (the digest of the tag's manifest or index, so the
// build still picks the platform). Registry credentials come from the
// default keychain (docker config.json, credential helpers).
func Pin(ctx context.Context, images map[string]string) (map[string]string, error) {
	args := make([]string, 0, len(images))
	for arg := range images {
		args = append(args, arg)
	}
	sort.Strings(args)
	out := make(map[string]string, len(images))
	for _, arg := range args {
		ref := images[arg]
		if strings.Contains(ref, "@sha256:") {
			out[arg] = ref // already pinned
			continue
		}
		tag, err := name.NewTag(ref)
		if err != nil {
			return nil, &PinError{Ref: ref, Err: err}
		}
		digest, err := crane.Digest(ref, crane.WithContext(ctx))
		if err != nil {
			return nil, &PinError{Ref: ref, Err: err}
		}
		out[arg] = tag.String() + "@" + digest
	}
	return out, nil
}
