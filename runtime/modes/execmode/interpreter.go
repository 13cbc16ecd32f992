package execmode

import (
	"bytes"
	"io"
	"os"
	"strings"
)

// missingInterpreter returns the interpreter a script's "#!" line names
// when that file does not exist, else "". The kernel then fails the exec
// with ENOENT, which Go reports about the script itself ("fork/exec
// handler.sh: no such file or directory"), a file that is right there.
func missingInterpreter(script string) string {
	f, err := os.Open(script)
	if err != nil {
		return ""
	}
	defer f.Close()
	head := make([]byte, 256)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if !bytes.HasPrefix(head, []byte("#!")) {
		return ""
	}
	line, _, _ := bytes.Cut(head[2:], []byte("\n"))
	fields := strings.Fields(string(line))
	if len(fields) == 0 {
		return ""
	}
	if _, err := os.Stat(fields[0]); err != nil {
		return fields[0]
	}
	return ""
}
