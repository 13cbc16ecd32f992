package inspect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/faas-runtime/faas-runtime/internal/image/build"
	"github.com/faas-runtime/faas-runtime/internal/image/source"
)

func image(t *testing.T, base v1.Image, fnBody string) v1.Image {
	t.Helper()
	fn := filepath.Join(t.TempDir(), "handler")
	os.WriteFile(fn, []byte(fnBody), 0o755)
	img, err := build.Image(build.Options{Base: base, Arch: "amd64", Runtime: []byte("stand-in runtime bytes"), Function: fn, Mode: "exec", Created: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestRolesSharedAndUnique(t *testing.T) {
	a := image(t, nil, "#!/bin/sh\necho a\n")
	b := image(t, nil, "#!/bin/sh\necho b\n")
	onA := image(t, a, "#!/bin/sh\necho c\n") // a base built by runtime-init
	rep, err := Build([]source.Named{{Label: "a", Image: a}, {Label: "b", Image: b}, {Label: "onA", Image: onA}})
	if err != nil {
		t.Fatal(err)
	}
	var roles []string
	for _, l := range rep.Images[2].Layers {
		roles = append(roles, l.Role)
	}
	if got := strings.Join(roles, ","); got != "base,base,runtime,function" {
		t.Errorf("roles on a runtime-init base: %s", got)
	}
	// The runtime layer is shared by all three; a's function layer by a and onA.
	holders := map[int]bool{}
	for _, sh := range rep.Shared {
		holders[len(sh.Images)] = true
	}
	if len(rep.Shared) != 2 || !holders[3] || !holders[2] {
		t.Fatalf("shared: %+v", rep.Shared)
	}
	for _, im := range rep.Images {
		fn := im.Layers[len(im.Layers)-1]
		if im.BeyondFunction != im.Compressed-fn.Compressed {
			t.Errorf("%s: beyond function %d, total %d, function %d", im.Ref, im.BeyondFunction, im.Compressed, fn.Compressed)
		}
	}
	if rep.Images[1].Unique != rep.Images[1].Layers[1].Compressed {
		t.Errorf("b: unique %d, want its function layer %d", rep.Images[1].Unique, rep.Images[1].Layers[1].Compressed)
	}
	var sb strings.Builder
	if err := rep.WriteText(&sb); err != nil || !strings.Contains(sb.String(), "SHARED LAYER") {
		t.Errorf("text: %v\n%s", err, sb.String())
	}
}
