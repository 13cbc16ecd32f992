//go:build linux

package procgroup

import "syscall"

func tie(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
