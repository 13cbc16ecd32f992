//go:build linux || darwin

package h1

import (
	"net"
	"syscall"
)

// idleProbe reports whether an idle connection can still carry a request:
// nothing to read yet, and not closed by the peer. Web servers close idle
// keep-alive connections on their own schedule (Node after 5 s); finding
// that out before writing, rather than by a failed first read, keeps a
// request from being sent into a dead connection at all. One MSG_PEEK
// recvfrom on the non-blocking socket, no allocation.
type idleProbe struct {
	rc    syscall.RawConn
	ok    bool
	buf   [1]byte
	check func(fd uintptr) bool
}

func newIdleProbe(nc net.Conn) *idleProbe {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	p := &idleProbe{rc: rc}
	p.check = func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), p.buf[:], syscall.MSG_PEEK)
		// EAGAIN: nothing pending, the peer is still there. Data (an
		// unsolicited 408, say), EOF or an error all rule the
		// connection out.
		p.ok = err == syscall.EAGAIN
		return true // never wait for readability
	}
	return p
}

func (p *idleProbe) usable() bool {
	if p == nil {
		return true
	}
	if err := p.rc.Read(p.check); err != nil {
		return false
	}
	return p.ok
}
