package h1

import (
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"
)

// dialLoopback connects to an IPv4 loopback ip:port (the Runtime API at
// 127.0.0.1:9001, a web app on 127.0.0.1) with a blocking connect, which
// loopback completes or refuses at once, then hands the socket to the
// netpoller. net.Dialer's non-blocking connect parks the goroutine until
// the poller reports the connection: a scheduling round trip that is a
// tenth of the way to the first /next. ok is false for any other address
// (the caller dials it with net.Dialer). The connect is bounded by
// timeout (SO_SNDTIMEO), in case the listener's backlog is full.
func dialLoopback(addr string, timeout time.Duration) (nc net.Conn, ok bool, err error) {
	ap, perr := netip.ParseAddrPort(addr)
	if perr != nil || !ap.Addr().Is4() || !ap.Addr().IsLoopback() {
		return nil, false, nil
	}
	opErr := func(call string, err error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Addr: net.TCPAddrFromAddrPort(ap), Err: os.NewSyscallError(call, err)}
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, true, opErr("socket", err)
	}
	tv := syscall.NsecToTimeval(int64(timeout))
	if err := syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_SNDTIMEO, &tv); err != nil {
		syscall.Close(fd)
		return nil, true, opErr("setsockopt", err)
	}
	for {
		// A signal cuts a connect with SO_SNDTIMEO short (EINTR): the
		// attempt goes on, and connect again waits for it (Linux).
		err = syscall.Connect(fd, &syscall.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()})
		if err == syscall.EISCONN {
			err = nil
		}
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		syscall.Close(fd)
		return nil, true, opErr("connect", err)
	}
	// As net.Dialer does: requests go out whole, no need to wait for acks.
	if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1); err != nil {
		syscall.Close(fd)
		return nil, true, opErr("setsockopt", err)
	}
	f := os.NewFile(uintptr(fd), addr)
	nc, err = net.FileConn(f) // a duplicate, non-blocking, on the poller
	f.Close()
	if err != nil {
		return nil, true, &net.OpError{Op: "dial", Net: "tcp", Addr: net.TCPAddrFromAddrPort(ap), Err: err}
	}
	return nc, true, nil
}
