//go:build unix

// Kills a process with syscall.Kill, which Windows does not have.

package cli_test

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

var sigintN = flag.Int("sigint.n", 200, "serve SIGINT stress iterations")

// SIGINT at a random moment — while serve starts, while invocations run,
// while a timeout kills the function's process group — stops serve within
// 2 s every time, and leaves none of its processes behind (the runtime,
// the function and what the function started are found by a mark in
// their environment).
func TestServeSIGINTStress(t *testing.T) {
	testutil.Slow(t, fmt.Sprintf("%d serve processes", *sigintN))
	if runtime.GOOS != "linux" {
		t.Skip("finds leftover processes through /proc")
	}
	bin := testutil.Binary(t, "./cmd/runtime-init")
	dir := t.TempDir()
	h := filepath.Join(dir, "h.sh")
	// A slow event outlives the 1 s timeout, with a grandchild of its own.
	os.WriteFile(h, []byte("#!/bin/sh\nevent=$(cat)\ncase $event in *slow*) sleep 30 & exec sleep 5 ;; esac\necho '{}'\n"), 0o755)

	var mu sync.Mutex
	var failures []string
	fail := func(format string, args ...any) {
		mu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range jobs {
				sigintOnce(bin, h, i, time.Duration(rand.IntN(1600))*time.Millisecond, fail)
			}
		})
	}
	for i := range *sigintN {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d of %d iterations failed; first:\n%s", len(failures), *sigintN, failures[0])
	}
}

var servingURL = regexp.MustCompile(`serving .* on (http://\S+)`)

func sigintOnce(bin, handler string, i int, after time.Duration, fail func(string, ...any)) {
	mark := fmt.Sprintf("FAAS_SIGINT_TEST=%d-%d", os.Getpid(), i)
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--timeout", "1s", "--env", mark, "--", handler)
	var logs testutil.SyncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		fail("start: %v", err)
		return
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Invocations, slow and fast, as soon as serve says where it listens.
	go func() {
		for range 100 {
			if m := servingURL.FindStringSubmatch(logs.String()); m != nil {
				for _, ev := range []string{`"slow"`, `"slow"`, `"fast"`} {
					go func() {
						c := http.Client{Timeout: 5 * time.Second}
						if resp, err := c.Post(m[1], "application/json", strings.NewReader(ev)); err == nil {
							resp.Body.Close()
						}
					}()
					time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
				}
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	time.Sleep(after)
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-exited:
	case <-time.After(2 * time.Second):
		cmd.Process.Signal(syscall.SIGQUIT) // its goroutines, for the report
		select {
		case <-exited:
		case <-time.After(2 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		fail("iteration %d: serve still running 2 s after SIGINT (sent %s after start):\n%s", i, after, logs.String())
	}
	// Give the kernel a moment to finish killing what serve killed.
	var left []int
	for range 20 {
		if left = marked(mark); len(left) == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, pid := range left {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	fail("iteration %d: processes left behind after serve exited (SIGINT %s after start): %v\n%s", i, after, left, logs.String())
}

// marked lists the processes whose environment holds mark.
func marked(mark string) []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err == nil && bytes.Contains(env, []byte("\x00"+mark+"\x00")) {
			if stat, err := os.ReadFile("/proc/" + e.Name() + "/stat"); err == nil && !bytes.Contains(stat, []byte(") Z ")) {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}
