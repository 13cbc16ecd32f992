//go:build linux

package httpmode

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the web app in its own process group, so SIGTERM
// and SIGKILL reach the workers it forks (gunicorn, node cluster) too, and
// has the kernel kill it if the runtime dies: it must not outlive the
// runtime that answers for it.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func signalGroup(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}
