//go:build windows

package sharedlib

import "syscall"

// library is a loaded DLL. purego has no Dlopen on Windows; the standard
// library's LoadDLL is the same LoadLibraryEx/GetProcAddress pair.
type library struct{ dll *syscall.DLL }

func open(path string) (*library, error) {
	d, err := syscall.LoadDLL(path)
	if err != nil {
		return nil, err
	}
	return &library{dll: d}, nil
}

// sym returns the address of an exported symbol, or 0 if there is none.
func (l *library) sym(name string) uintptr {
	p, err := l.dll.FindProc(name)
	if err != nil {
		return 0
	}
	return p.Addr()
}
