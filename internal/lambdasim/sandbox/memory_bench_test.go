package sandbox

import (
	"os"
	"testing"
)

// BenchmarkMaxMemoryUsed is what REPORT's Max Memory Used costs per
// invocation: one walk of /proc.
func BenchmarkMaxMemoryUsed(b *testing.B) {
	pg := []int{os.Getpid()}
	for b.Loop() {
		maxMemoryUsedMB(pg)
	}
}
