// Command gomin is the Go floor of the cold-start benchmark: the least a Go
// program can do to reach the Runtime API — one socket, GET /next, wait —
// with the syscall package only (no os, no net). What it takes is the Go
// runtime's own start; anything a Go bootstrap takes beyond it is its own.
// Build tags add one cost at a time (signal.go, linked.go).
package main

import "syscall"

func main() {
	ip, port, ok := parse(getenv("AWS_LAMBDA_RUNTIME_API"))
	if !ok {
		syscall.Exit(2)
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		syscall.Exit(1)
	}
	if err := syscall.Connect(fd, &syscall.SockaddrInet4{Port: port, Addr: ip}); err != nil {
		syscall.Exit(1)
	}
	syscall.Write(fd, []byte("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: runtime\r\n\r\n"))
	var buf [4096]byte
	syscall.Read(fd, buf[:]) // the benchmark holds /next open: this is the idle runtime
}

func getenv(k string) string {
	v, _ := syscall.Getenv(k)
	return v
}

// parse reads "a.b.c.d:port".
func parse(s string) (ip [4]byte, port int, ok bool) {
	part, n, digits := 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			n, digits = n*10+int(c-'0'), digits+1
		case c == '.' && part < 3 && digits > 0:
			ip[part], part, n, digits = byte(n), part+1, 0, 0
		case c == ':' && part == 3 && digits > 0:
			ip[3], part, n, digits = byte(n), 4, 0, 0
		default:
			return ip, 0, false
		}
	}
	return ip, n, part == 4 && digits > 0
}
