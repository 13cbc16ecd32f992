//go:build unix && !linux

package procgroup

import "syscall"

// Only Linux has a parent-death signal.
func tie(*syscall.SysProcAttr) {}
