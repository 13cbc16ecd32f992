//go:build linux

package sandbox

import (
	"os/exec"
	"testing"
	"time"
)

// Max Memory Used counts the whole tree: a child of the root holding
// 64 MiB resident raises it by about that much.
func TestMaxMemoryUsedCountsChildren(t *testing.T) {
	shell := exec.Command("/bin/sh", "-c", `awk 'BEGIN { s = "x"; while (length(s) < 67108864) s = s s; system("sleep 30") }'; :`) // the shell stays: awk is its child
	if err := shell.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shell.Process.Kill(); shell.Wait() })
	before := maxMemoryUsedMB([]int{shell.Process.Pid})
	var after int
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if after = maxMemoryUsedMB([]int{shell.Process.Pid}); after >= before+60 {
			return
		}
	}
	t.Fatalf("Max Memory Used %d MB, then %d MB: the 64 MiB child is not counted", before, after)
}
