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

// Term kills the process: there is no SIGTERM to send.
func Term(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

// Kill kills the process.
func Kill(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

// Terminate kills the process.
func Terminate(p *os.Process) { _ = p.Kill() }
