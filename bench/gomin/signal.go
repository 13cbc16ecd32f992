//go:build signal

package main

// Built with -tags signal: the Go floor plus what graceful shutdown costs,
// a SIGTERM handler through os/signal (two threads of its own).
import (
	"os"
	"os/signal"
	"syscall"
)

func init() { signal.Notify(make(chan os.Signal, 1), syscall.SIGTERM) }
