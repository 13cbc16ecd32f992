//go:build !linux

package httpmode

import "time"

func sleepThread(d time.Duration) { time.Sleep(d) }
