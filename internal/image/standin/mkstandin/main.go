// Command mkstandin writes a stand-in base image as an OCI layout, for
// scripts/build.sh: `go run ./internal/image/standin/mkstandin busybox DIR`.
package main

import (
	"fmt"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/faas-runtime/faas-runtime/internal/image/standin"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: mkstandin busybox|distroless-static DIR")
		os.Exit(2)
	}
	var img v1.Image
	var err error
	switch os.Args[1] {
	case "busybox":
		img, err = standin.Busybox()
	case "distroless-static":
		img, err = standin.DistrolessStatic()
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
