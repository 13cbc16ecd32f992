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

// TermGroup sends SIGTERM to cmd's process group.
func TermGroup(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }

// KillGroup sends SIGKILL to cmd's process group.
func KillGroup(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }

// TermProcess sends SIGTERM to one process (not its group), as Lambda
// does to the runtime at shutdown.
func TermProcess(p *os.Process) { _ = p.Signal(syscall.SIGTERM) }
