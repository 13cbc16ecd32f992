//go:build darwin || linux || windows

package sharedlib

import (
	"context"
	"fmt"
	"unsafe"

	"github.com/ebitengine/purego"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
)

// BeforeCheckpoint calls the library's faas_before_checkpoint, if it
// exports one (SnapStart, before the snapshot).
func (m *Mode) BeforeCheckpoint(context.Context) error {
	return m.callHook(symBeforeCheckpoint)
}

// AfterRestore calls the library's faas_after_restore, if it exports one
// (SnapStart, after a restore, before the first invocation).
func (m *Mode) AfterRestore(context.Context) error {
	return m.callHook(symAfterRestore)
}

// callHook calls an optional int32_t hook(faas_output *err) with a slot's
// output for its error, taking the slot as a call to faas_handle does, so
// a library that is not thread-safe never sees two calls at once.
func (m *Mode) callHook(name string) error {
	fn := m.lib.sym(name)
	if fn == 0 {
		return nil
	}
	s := <-m.slots
	defer func() { m.slots <- s }()
	s.reset()
	r1, _, _ := purego.SyscallN(fn, uintptr(unsafe.Pointer(&s.out)))
	if rc := int32(r1); rc != rcOK {
		typ, msg := s.errorParts(modes.ErrTypeSnapStartHook)
		if msg == "" {
			msg = fmt.Sprintf("%s returned %d without an error message", name, rc)
		}
		return api.NewError(typ, name+": "+msg)
	}
	m.log.Info("SnapStart hook done", "symbol", name)
	return nil
}
