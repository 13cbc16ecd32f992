// Command faas-version prints the version every build uses: VERSION when
// set, else one derived from git describe (packaging/pkgversion; the same as
// `faas-pkg version`). The Makefile runs it for the binaries' -ldflags. It
// is a main of its own so that asking for the version compiles one small
// package, not faas-pkg and everything it links.
package main

import (
	"fmt"
	"os"

	"github.com/faas-runtime/faas-runtime/packaging/pkgversion"
)

func main() {
	v, err := pkgversion.Current(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "faas-version:", err)
		os.Exit(1)
	}
	fmt.Println(v)
}
