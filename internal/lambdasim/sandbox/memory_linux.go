package sandbox

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// maxMemoryUsedMB is the high-water mark of the environment's processes,
// in MB, as Lambda's Max Memory Used: the sum of each live process's peak
// resident set (VmHWM) over the process groups given (the runtime's and
// the extensions', each started in a group of its own). A process that
// already exited no longer counts; Lambda's figure, from the sandbox's
// cgroup, would still hold it.
func maxMemoryUsedMB(pgids []int) int {
	if len(pgids) == 0 {
		return 0
	}
	want := map[int]bool{}
	for _, g := range pgids {
		want[g] = true
	}
	dir, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var kb int64
	for _, d := range dir {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		// Fields after the command name (which may hold spaces and ')'):
		// state ppid pgrp ...
		i := bytes.LastIndexByte(stat, ')')
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 3 {
			continue
		}
		if g, _ := strconv.Atoi(f[2]); !want[g] && !want[pid] {
			continue
		}
		kb += vmHWM(d.Name())
	}
	return int((kb + 1023) / 1024)
}

// vmHWM reads a process's peak resident set in kB.
func vmHWM(pid string) int64 {
	status, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
