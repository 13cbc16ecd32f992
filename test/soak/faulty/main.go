// Command faulty is the soak test's exec-mode function: the event names the
// fault to commit, e.g. {"fault":"crash","n":17}. It is deliberately badly
// behaved in every way Lambda functions are.
package main

import (
	"encoding/json"
	"io"
	"os"
	"strings"
	"syscall"
	"time"
)

func main() {
	event, _ := io.ReadAll(os.Stdin)
	var ev struct {
		Fault string `json:"fault"`
	}
	json.Unmarshal(event, &ev)
	switch ev.Fault {
	case "crash":
		syscall.Kill(os.Getpid(), syscall.SIGSEGV)
		time.Sleep(time.Second)
	case "exit":
		os.Stderr.WriteString("faulty: exiting 2 on purpose\n")
		os.Exit(2)
	case "hang":
		time.Sleep(time.Hour)
	case "stderr":
		line := strings.Repeat("log line flooding stderr ", 40) + "\n"
		for i := 0; i < 2000; i++ { // about 2 MB
			os.Stderr.WriteString(line)
		}
	case "oversize":
		chunk := []byte(strings.Repeat("x", 1<<20))
		for i := 0; i < 7; i++ {
			os.Stdout.Write(chunk)
		}
		return
	case "garbage":
		os.Stdout.Write([]byte{0xff, 0xfe, 0x00, 0x01, '{', '{', 0x80})
		return
	case "slow":
		time.Sleep(100 * time.Millisecond)
	case "sigterm":
		time.Sleep(2 * time.Second) // SIGTERM arrives meanwhile
	}
	os.Stdout.Write(event) // echo; api-drop and api-500 are injected on the way back
}
