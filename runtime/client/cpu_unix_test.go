//go:build unix

package client_test

import (
	"syscall"
	"time"
)

// processCPU is the user+system CPU time this process has used. Per
// operation it is a steadier measure than wall time on a shared machine,
// where a round trip mostly waits for a core.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
