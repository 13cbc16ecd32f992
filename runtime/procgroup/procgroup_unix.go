//go:build unix

package procgroup

import (
	"os"
	"os/exec"
	"syscall"
)

// Isolate makes cmd start in a new process group. With tieToParent, on
// Linux, the kernel also kills it if the runtime dies, so it never
// outlives the runtime that answers for it.
func Isolate(cmd *exec.Cmd, tieToParent bool) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if tieToParent {
		tie(cmd.SysProcAttr)
	}
}

// Signal sends SIGTERM, or SIGKILL when kill is set, to cmd's group.
func Signal(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}

// Terminate sends SIGTERM to one process (not its group), as Lambda does
// to the runtime at shutdown.
func Terminate(p *os.Process) { _ = p.Signal(syscall.SIGTERM) }
