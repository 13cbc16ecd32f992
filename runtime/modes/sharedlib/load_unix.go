//go:build darwin || linux

package sharedlib

import "github.com/ebitengine/purego"

// library is a loaded shared object.
type library struct{ handle uintptr }

// open loads path with every symbol resolved now (RTLD_NOW: a missing
// dependency fails init, not the first invocation) and kept local
// (RTLD_LOCAL: the function's symbols cannot clash with anything else).
func open(path string) (*library, error) {
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		return nil, err
	}
	return &library{handle: h}, nil
}

// sym returns the address of an exported symbol, or 0 if there is none.
func (l *library) sym(name string) uintptr {
	p, err := purego.Dlsym(l.handle, name)
	if err != nil {
		return 0
	}
	return p
}
