//go:build linked

package main

// Built with -tags linked: the Go floor plus every package faas-runtime
// links, initialised but not used — what the binary and its package
// initialisation cost before main.
import (
	_ "github.com/faas-runtime/faas-runtime/runtime/bootstrap"
	_ "github.com/faas-runtime/faas-runtime/runtime/modes/execmode"
	_ "github.com/faas-runtime/faas-runtime/runtime/modes/httpmode"
)
