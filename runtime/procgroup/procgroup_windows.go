//go:build windows

package procgroup

import (
	"os"
	"os/exec"
)

// Isolate does nothing on Windows (runtime-init invoke there).
func Isolate(*exec.Cmd) {}

// IsolateTied does nothing on Windows.
func IsolateTied(*exec.Cmd) {}

// TermGroup kills the process: there is no SIGTERM to send.
func TermGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

// KillGroup kills the process.
func KillGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

// TermProcess kills the process.
func TermProcess(p *os.Process) { _ = p.Kill() }
