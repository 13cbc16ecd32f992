// Command mkstandin writes a stand-in base image as an OCI layout, for
// scripts/image-sizes.sh: `go run ./internal/image/standin/mkstandin busybox DIR [ARCH]`.
package main

import (
	"fmt"
	"os"
	"runtime"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/faas-runtime/faas-runtime/internal/image/standin"
)

func main() {
	if len(os.Args) != 3 && len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: mkstandin busybox|distroless-static DIR [ARCH]")
		os.Exit(2)
	}
	arch := runtime.GOARCH
	if len(os.Args) == 4 {
		arch = os.Args[3]
	}
	var img v1.Image
	var err error
	switch os.Args[1] {
	case "busybox":
		// The host's busybox-static: no other architecture's binary here.
		if arch != runtime.GOARCH {
			fmt.Fprintf(os.Stderr, "mkstandin: the busybox stand-in is the host's busybox-static (%s), there is none for %s\n", runtime.GOARCH, arch)
			os.Exit(1)
		}
		img, err = standin.Busybox()
	case "distroless-static":
		// Files only (passwd, CA certificates, tzdata): any architecture.
		if img, err = standin.DistrolessStatic(); err == nil {
			img, err = standin.ForArch(img, arch)
		}
	default:
		fmt.Fprintln(os.Stderr, "mkstandin: unknown stand-in", os.Args[1])
		os.Exit(2)
	}
	if err == nil {
		var p layout.Path
		if p, err = layout.Write(os.Args[2], empty.Index); err == nil {
			err = p.AppendImage(img)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkstandin:", err)
		os.Exit(1)
	}
}
