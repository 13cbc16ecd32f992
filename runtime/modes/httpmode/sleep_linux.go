package httpmode

import (
	"syscall"
	"time"
)

// sleepThread sleeps the calling thread for d, to the microsecond.
func sleepThread(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}
