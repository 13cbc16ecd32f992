//go:build unix

package procgroup

import (
	"os"
	"os/exec"
	"syscall"
)

// Isolate makes cmd start in a new process group.
func Isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// IsolateTied is Isolate, and on Linux the kernel also kills the process
// if the runtime dies, so it never outlives the runtime that answers for it.
func IsolateTied(cmd *exec.Cmd) {
	Isolate(cmd)
	tie(cmd.SysProcAttr)
}

// Term sends SIGTERM to cmd's group.
func Term(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }

// Kill sends SIGKILL to cmd's group.
func Kill(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }

// Terminate sends SIGTERM to one process (not its group), as Lambda does
// to the runtime at shutdown.
func Terminate(p *os.Process) { _ = p.Signal(syscall.SIGTERM) }
