package sharedlib

import "unsafe"

// The Go side of include/faas/function.h. The layouts must match the C
// structs on every 64-bit target purego supports (amd64, arm64: pointers
// and size_t are 8 bytes); abi_test.go checks the sizes and offsets
// against the header with a C compiler.

// ABIVersion is the FAAS_ABI_VERSION this runtime implements.
const ABIVersion = 1

// Flags a library may set in faas_flags.
const (
	FlagThreadSafe = 0x1
	knownFlags     = FlagThreadSafe
)

// Return codes (faas_handle, faas_init, grow).
const (
	rcOK       = 0
	rcTooLarge = -1
)

// errorTypeMax is FAAS_ERROR_TYPE_MAX.
const errorTypeMax = 128

// Exported symbol names.
const (
	symABIVersion = "faas_abi_version"
	symFlags      = "faas_flags"
	symHandle     = "faas_handle"
	symInit       = "faas_init"
	symShutdown   = "faas_shutdown"
	// SnapStart hooks, optional: int32_t fn(faas_output *err), as faas_init.
	symBeforeCheckpoint = "faas_before_checkpoint"
	symAfterRestore     = "faas_after_restore"
)

// cStr is faas_str.
type cStr struct {
	ptr *byte
	n   uintptr
}

// cContext is faas_context.
type cContext struct {
	size            uint32
	abiVersion      uint32
	deadlineMs      int64
	requestID       cStr
	functionARN     cStr
	traceID         cStr
	clientContext   cStr
	cognitoIdentity cStr
	tenantID        cStr
}

// cInitInfo is faas_init_info.
type cInitInfo struct {
	size           uint32
	abiVersion     uint32
	maxConcurrency uint32
	reserved       uint32
	taskRoot       cStr
	args           *cStr
	nargs          uintptr
}

// cOutput is faas_output. The library writes len and errorType (through
// the header's helpers); only the runtime writes data, cap and grow.
type cOutput struct {
	data      *byte
	len       uintptr
	cap       uintptr
	grow      uintptr // C function pointer made by purego.NewCallback
	errorType [errorTypeMax]byte
}

var (
	sizeofContext  = uint32(unsafe.Sizeof(cContext{}))
	sizeofInitInfo = uint32(unsafe.Sizeof(cInitInfo{}))
)
