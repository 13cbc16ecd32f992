//go:build unix

package testutil

import (
	"os"
	"syscall"
)

// FileLock takes an exclusive flock on path, waiting for it: test binaries
// running in parallel (go test -p 2) share caches, dist/ and podman's store.
func FileLock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}
