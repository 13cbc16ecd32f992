//go:build !(linux || darwin)

package h1

import "net"

// idleProbe is a no-op here: a dead idle connection is found by the first
// read and the request retried as documented on Client.Do.
type idleProbe struct{}

func newIdleProbe(net.Conn) *idleProbe { return nil }

func (*idleProbe) usable() bool { return true }
