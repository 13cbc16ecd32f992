package sandbox

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// maxMemoryUsedMB is the high-water mark of the environment's processes,
// in MB, as Lambda's Max Memory Used: the sum of each live process's peak
// resident set (VmHWM) over the process trees of roots (the runtime and
// the extensions). A process that already exited no longer counts;
// Lambda's figure, from the sandbox's cgroup, would still hold it.
//
// The trees are walked through /proc/PID/task/TID/children, a few reads
// per process; where the kernel lacks that file, every process in /proc
// is looked at for the roots' process groups (each root leads its own),
// which costs milliseconds on a busy machine.
func maxMemoryUsedMB(roots []int) int {
	if len(roots) == 0 {
		return 0
	}
	pids, ok := descendants(roots)
	if !ok {
		pids = inGroups(roots)
	}
	var kb int64
	for _, pid := range pids {
		kb += vmHWM(pid)
	}
	return int((kb + 1023) / 1024)
}

// descendants lists roots and every process below them; ok is false when
// the kernel does not offer the children files.
func descendants(roots []int) (pids []int, ok bool) {
	seen := map[int]bool{}
	todo := append([]int(nil), roots...)
	for len(todo) > 0 {
		pid := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if seen[pid] {
			continue
		}
		seen[pid] = true
		pids = append(pids, pid)
		dir := "/proc/" + strconv.Itoa(pid) + "/task"
		tasks, err := os.ReadDir(dir)
		if err != nil {
			continue // it has exited
		}
		for _, t := range tasks {
			b, err := os.ReadFile(dir + "/" + t.Name() + "/children")
			if os.IsNotExist(err) {
				if _, statErr := os.Stat(dir + "/" + t.Name()); statErr == nil {
					return nil, false // the task is there, the file is not
				}
				continue
			}
			for _, f := range strings.Fields(string(b)) {
				if c, err := strconv.Atoi(f); err == nil {
					todo = append(todo, c)
				}
			}
		}
	}
	return pids, true
}

// inGroups lists the processes whose process group is one of groups.
func inGroups(groups []int) []int {
	want := map[int]bool{}
	for _, g := range groups {
		want[g] = true
	}
	dir, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
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
		if g, _ := strconv.Atoi(f[2]); want[g] || want[pid] {
			pids = append(pids, pid)
		}
	}
	return pids
}

// vmHWM reads a process's peak resident set in kB.
func vmHWM(pid int) int64 {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
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
