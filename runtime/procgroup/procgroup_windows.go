//go:build windows

package procgroup

import (
	"os"
	"os/exec"
)

// Isolate does nothing on Windows (runtime-init invoke there).
func Isolate(*exec.Cmd, bool) {}

// Signal kills the process: there is no SIGTERM to send.
func Signal(cmd *exec.Cmd, _ bool) { _ = cmd.Process.Kill() }

// Terminate kills the process.
func Terminate(p *os.Process) { _ = p.Kill() }
