//go:build windows

package local

import "os/exec"

func setProcessGroup(*exec.Cmd) {}

func killGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

// Windows cannot deliver SIGTERM to a console process; Stop kills it.
func terminate(cmd *exec.Cmd) { _ = cmd.Process.Kill() }
