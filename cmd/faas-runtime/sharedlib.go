//go:build sharedlib

package main

// The faas-runtime-sharedlib build: go build -tags sharedlib. purego links
// the binary dynamically against glibc, so this mode is kept out of the
// default (static) faas-runtime.
import _ "github.com/faas-runtime/faas-runtime/runtime/modes/sharedlib"
