package sandbox

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// killLeftovers kills every process still carrying this environment's
// AWS_LAMBDA_RUNTIME_API: what the runtime's function and extensions
// started in process groups of their own, which survive the runtime's
// group. Lambda ends a whole execution environment (its microVM); the
// processes' inherited environment is what ties them to one here, where
// there is no cgroup to kill. The address is unique while the sandbox
// holds its port.
func killLeftovers(runtimeAPI string) {
	mark := []byte("\x00AWS_LAMBDA_RUNTIME_API=" + runtimeAPI + "\x00")
	self := os.Getpid()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil { // gone, or not ours to read
			continue
		}
		if bytes.Contains(append([]byte{0}, env...), mark) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}
