//go:build windows

package httpmode

import "os/exec"

// Windows has no process groups or SIGTERM for console processes; the web
// app is killed directly (runtime-init invoke on Windows).
func setProcessGroup(*exec.Cmd) {}

func signalGroup(cmd *exec.Cmd, _ bool) { _ = cmd.Process.Kill() }
