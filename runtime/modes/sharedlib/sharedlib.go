//go:build darwin || linux || windows

// Package sharedlib is the sharedlib handler mode: it loads the function, a
// shared library with the C ABI of include/faas/function.h, into the
// runtime process with purego (no cgo) and calls it for every invocation.
//
// purego makes a binary dynamically linked against the C library even with
// CGO_ENABLED=0, so this mode is only in the faas-runtime-sharedlib build
// (go build -tags sharedlib ./cmd/faas-runtime); the default faas-runtime
// stays static.
package sharedlib

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
)

func init() { modes.Register(modes.Sharedlib, New) }

// Output buffer sizes: most responses fit the initial buffer, so the grow
// callback (a C-to-Go transition) is rare; a buffer grown past keepCap is
// dropped after the call so one large response does not pin idle memory.
const (
	initialCap = 64 << 10
	keepCap    = 1 << 20
)

// Mode is the sharedlib handler mode.
type Mode struct {
	path     string
	args     []string
	taskRoot string
	conc     int
	log      *slog.Logger

	lib      *library
	handle   uintptr
	shutdown uintptr
	initInfo cInitInfo

	// slots hands out call state; its capacity is how many calls may
	// overlap (1 unless the library is thread-safe), so it is also the
	// lock that serialises a single-threaded library.
	slots    chan *slot
	nslots   int
	stopped  chan struct{}
	stopOnce sync.Once
}

// slot is the memory one call uses, reused across calls. out must stay
// the first field: the grow callback gets &slot.out and finds the slot.
type slot struct {
	out      cOutput
	buf      []byte // backs out.data
	ctx      cContext
	arena    []byte // NUL-terminated context strings
	tooLarge uintptr
}

// New builds the mode from the bootstrap's configuration.
func New(cfg modes.Config) (modes.Mode, error) {
	conc := max(cfg.Concurrency, 1)
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Mode{path: cfg.Command[0], args: cfg.Command[1:], taskRoot: cfg.TaskRoot, conc: conc, log: log, stopped: make(chan struct{})}, nil
}

// Init loads the library, checks its ABI version and symbols, and runs its
// faas_init. Every failure is an init error naming the library.
func (m *Mode) Init(context.Context) error {
	if err := modes.CheckHandlerFile(m.path, "a shared library", false); err != nil {
		return err
	}
	lib, err := open(m.path)
	if err != nil {
		return api.Errorf(api.ErrTypeInvalidHandler, "cannot load %s as a shared library: %v", m.path, err)
	}
	m.lib = lib

	verAddr := lib.sym(symABIVersion)
	if verAddr == 0 {
		return m.invalid("does not export %s: it is not a faas function library (C/C++: #include <faas/function.h> and FAAS_FUNCTION(0); Rust: #[no_mangle] pub static faas_abi_version: u32 = %d)", symABIVersion, ABIVersion)
	}
	if v := readU32(verAddr); v != ABIVersion {
		return m.invalid("was built for faas ABI version %d, but this faas-runtime implements version %d: rebuild it against the faas/function.h shipped with this runtime", v, ABIVersion)
	}
	var flags uint32
	if a := lib.sym(symFlags); a != 0 {
		flags = readU32(a)
	}
	if unknown := flags &^ knownFlags; unknown != 0 {
		return m.invalid("sets unknown %s bits 0x%x (this runtime knows FAAS_THREAD_SAFE=0x%x)", symFlags, unknown, FlagThreadSafe)
	}
	if m.handle = lib.sym(symHandle); m.handle == 0 {
		return m.invalid("does not export %s(const faas_context*, const uint8_t*, size_t, faas_output*)", symHandle)
	}
	m.shutdown = lib.sym(symShutdown)

	m.nslots = 1
	if flags&FlagThreadSafe != 0 {
		m.nslots = m.conc
	} else if m.conc > 1 {
		m.log.Info("library is not thread-safe (faas_flags lacks FAAS_THREAD_SAFE): calls are serialised", "max_concurrency", m.conc)
	}
	m.slots = make(chan *slot, m.nslots)
	for range m.nslots {
		m.slots <- newSlot()
	}

	if initFn := lib.sym(symInit); initFn != 0 {
		if err := m.callInit(initFn); err != nil {
			return err
		}
	}
	return nil
}

func (m *Mode) invalid(format string, args ...any) error {
	return api.Errorf(api.ErrTypeInvalidHandler, "%s %s", m.path, fmt.Sprintf(format, args...))
}

// callInit runs faas_init with the init info and an output for its error.
func (m *Mode) callInit(fn uintptr) error {
	s := <-m.slots
	defer func() { m.slots <- s }()

	// The strings live in one arena, so the pointers stay valid (Go's heap
	// does not move objects) for as long as arena is referenced.
	strs := append([]string{m.taskRoot}, m.args...)
	arena, cs := cStrings(nil, strs)
	// info is a field of the Mode, on the heap: a stack address could move
	// if the grow callback ran Go code that grew this goroutine's stack.
	m.initInfo = cInitInfo{size: sizeofInitInfo, abiVersion: ABIVersion, maxConcurrency: uint32(m.nslots), taskRoot: cs[0], nargs: uintptr(len(m.args))}
	if len(m.args) > 0 {
		m.initInfo.args = &cs[1]
	}
	s.reset()
	r1, _, _ := purego.SyscallN(fn, uintptr(unsafe.Pointer(&m.initInfo)), uintptr(unsafe.Pointer(&s.out)))
	runtime.KeepAlive(arena)
	runtime.KeepAlive(cs)
	m.initInfo = cInitInfo{}
	if rc := int32(r1); rc != rcOK {
		typ, msg := s.errorParts(api.ErrTypeInitError)
		if msg == "" {
			msg = fmt.Sprintf("%s returned %d without an error message", symInit, rc)
		}
		return api.NewError(typ, msg)
	}
	return nil
}

// Invoke calls faas_handle once.
func (m *Mode) Invoke(_ context.Context, inv *api.Invocation) modes.Response {
	var s *slot
	select {
	case s = <-m.slots:
	case <-m.stopped:
		return modes.Fail(api.ErrTypeExit, "the runtime is shutting down (SIGTERM)")
	}
	defer func() { m.slots <- s }()

	s.setContext(inv)
	ev := &zeroByte[0] // the ABI promises a non-NULL event pointer
	if len(inv.Payload) > 0 {
		ev = &inv.Payload[0]
	}
	s.reset()
	r1, _, _ := purego.SyscallN(m.handle,
		uintptr(unsafe.Pointer(&s.ctx)), uintptr(unsafe.Pointer(ev)), uintptr(len(inv.Payload)), uintptr(unsafe.Pointer(&s.out)))
	runtime.KeepAlive(inv)
	return s.response(int32(r1))
}

var zeroByte [1]byte

// response turns what the call left in the slot into the outcome, and
// copies the body out: the slot is reused as soon as Invoke returns.
func (s *slot) response(rc int32) modes.Response {
	defer s.shrink()
	if s.tooLarge > 0 {
		return modes.Response{Err: api.ResponseTooLarge(int64(s.tooLarge))}
	}
	if s.out.len > s.out.cap || s.out.cap != uintptr(len(s.buf)) {
		// Only a library that wrote the struct directly can get here; the
		// buffer may be corrupted, so say so instead of posting garbage.
		return modes.Fail(api.ErrTypeUnknown, "the library set faas_output.len=%d beyond its cap=%d: write the output only with faas_output_write", s.out.len, s.out.cap)
	}
	if rc != rcOK {
		typ, msg := s.errorParts("HandlerError")
		if msg == "" {
			msg = fmt.Sprintf("%s returned %d without an error message", symHandle, rc)
		}
		return modes.Response{Err: api.NewError(typ, msg)}
	}
	body := make([]byte, s.out.len)
	copy(body, s.buf[:s.out.len])
	return modes.Response{Body: body, ContentType: "application/json"}
}

// errorParts reads the error type (def when empty) and message.
func (s *slot) errorParts(def string) (typ, msg string) {
	typ = def
	if i := indexNUL(s.out.errorType[:]); i > 0 {
		typ = string(s.out.errorType[:i])
	}
	n := min(s.out.len, uintptr(len(s.buf)))
	return typ, string(s.buf[:n])
}

func indexNUL(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return len(b)
}

// Shutdown waits for in-flight calls (by taking every slot), then runs the
// library's faas_shutdown once. Later invocations fail fast.
func (m *Mode) Shutdown(ctx context.Context) error {
	var err error
	m.stopOnce.Do(func() {
		close(m.stopped)
		if m.slots == nil {
			return
		}
		for i := 0; i < m.nslots; i++ {
			select {
			case <-m.slots:
			case <-ctx.Done():
				err = errors.New("sharedlib: invocations still running at shutdown; faas_shutdown not called")
				return
			}
		}
		if m.shutdown != 0 {
			purego.SyscallN(m.shutdown)
		}
	})
	return err
}

func newSlot() *slot {
	s := &slot{}
	s.setBuf(make([]byte, initialCap))
	s.out.grow = growCallback()
	s.ctx.size = sizeofContext
	s.ctx.abiVersion = ABIVersion
	return s
}

func (s *slot) setBuf(b []byte) {
	s.buf = b
	s.out.data = &b[0]
	s.out.cap = uintptr(len(b))
}

// reset prepares the output for a call.
func (s *slot) reset() {
	s.out.len = 0
	s.out.errorType[0] = 0
	s.tooLarge = 0
}

func (s *slot) shrink() {
	if len(s.buf) > keepCap {
		s.setBuf(make([]byte, initialCap))
	}
}

// setContext fills faas_context for inv; its strings are copied into the
// slot's arena with NUL terminators. The arena is sized first, so appends
// never move it and the pointers taken along the way stay valid.
func (s *slot) setContext(inv *api.Invocation) {
	n := len(inv.RequestID) + len(inv.FunctionARN) + len(inv.TraceID) + len(inv.ClientContext) + len(inv.CognitoIdentity) + len(inv.TenantID) + 6
	if cap(s.arena) < n {
		s.arena = make([]byte, 0, max(n, 512))
	}
	a := s.arena[:0]
	put := func(v string) cStr {
		off := len(a)
		a = append(a, v...)
		a = append(a, 0)
		return cStr{ptr: &a[off], n: uintptr(len(v))}
	}
	s.ctx.deadlineMs = inv.DeadlineMs
	s.ctx.requestID = put(inv.RequestID)
	s.ctx.functionARN = put(inv.FunctionARN)
	s.ctx.traceID = put(inv.TraceID)
	s.ctx.clientContext = put(inv.ClientContext)
	s.ctx.cognitoIdentity = put(inv.CognitoIdentity)
	s.ctx.tenantID = put(inv.TenantID)
	s.arena = a
}

// cStrings copies strs into arena (NUL-terminated) and returns faas_str
// values pointing into it. Pointers are taken after the last append, as
// growing arena moves it.
func cStrings(arena []byte, strs []string) ([]byte, []cStr) {
	n := 0
	for _, s := range strs {
		n += len(s) + 1
	}
	if cap(arena) < n {
		arena = make([]byte, 0, max(n, 512))
	}
	arena = arena[:0]
	offs := make([]int, len(strs))
	for i, s := range strs {
		offs[i] = len(arena)
		arena = append(arena, s...)
		arena = append(arena, 0)
	}
	cs := make([]cStr, len(strs))
	for i, s := range strs {
		cs[i] = cStr{ptr: &arena[offs[i]], n: uintptr(len(s))}
	}
	return arena, cs
}

var (
	growOnce sync.Once
	growFn   uintptr
)

// growCallback is the C function pointer for faas_output.grow. purego
// callbacks are a finite, never-freed resource, so there is one for the
// process; it finds the slot from the output pointer.
func growCallback() uintptr {
	growOnce.Do(func() { growFn = purego.NewCallback(grow) })
	return growFn
}

// grow makes out.cap >= need, up to Lambda's payload limit. It returns
// uintptr (the C side reads int32) because Windows callbacks must return a
// pointer-sized value.
func grow(out uintptr, need uintptr) uintptr {
	s := *(**slot)(unsafe.Pointer(&out)) // &slot.out == slot: out is its first field
	if need > api.MaxResponse {
		s.tooLarge = max(s.tooLarge, need)
		return uintptr(^uint(0)) // -1 as int32
	}
	if need <= s.out.cap {
		return rcOK
	}
	n := min(max(need, 2*s.out.cap), api.MaxResponse)
	b := make([]byte, n)
	copy(b, s.buf[:min(s.out.len, uintptr(len(s.buf)))])
	s.setBuf(b)
	return rcOK
}

// readU32 reads an exported uint32 data symbol.
func readU32(addr uintptr) uint32 {
	return **(**uint32)(unsafe.Pointer(&addr))
}
