//go:build unix

package local

import (
	"os/exec"
	"syscall"
)

// The runtime gets its own process group so a reset also ends the
// functions it started, as Lambda's sandbox reset does.
func setProcessGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

func killGroup(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }

func terminate(cmd *exec.Cmd) { _ = cmd.Process.Signal(syscall.SIGTERM) }
