/*
 * faas/function.h — the C ABI between faas-runtime (sharedlib mode) and a
 * function built as a shared library (.so, .dylib, .dll).
 *
 * faas-runtime-sharedlib loads the library once per execution environment
 * and calls it in-process for every invocation: no process or socket hop.
 * Any language that can export C symbols works: C, C++, Rust (cdylib), Zig.
 *
 * A minimal function:
 *
 *     #include <faas/function.h>
 *
 *     FAAS_FUNCTION(0);   // ABI version + flags (0: calls are serialised)
 *
 *     FAAS_EXPORT int32_t faas_handle(const faas_context *ctx,
 *                                     const uint8_t *event, size_t event_len,
 *                                     faas_output *out) {
 *         return faas_output_write(out, event, event_len);  // echo
 *     }
 *
 * Build:  cc -shared -fPIC -O2 -I/usr/include -o function.so function.c
 * Run:    CMD ["/var/task/function.so"] with ENTRYPOINT faas-runtime-sharedlib
 *
 * Symbols the library exports (all `extern "C"`, unmangled):
 *
 *   faas_abi_version  required  const uint32_t, must equal FAAS_ABI_VERSION
 *   faas_flags        optional  const uint32_t, FAAS_THREAD_SAFE or 0
 *   faas_handle       required  the handler, see below
 *   faas_init         optional  called once before the first invocation
 *   faas_shutdown     optional  called once when the runtime stops (SIGTERM)
 *   faas_before_checkpoint  optional  SnapStart: once after faas_init, before the snapshot
 *   faas_after_restore      optional  SnapStart: once after each restore, before the
 *                                     first invocation
 *
 * FAAS_FUNCTION(flags) defines the two data symbols. The runtime reads
 * faas_abi_version before it calls anything in the library; a library built
 * against another ABI version fails init with a message naming both versions.
 *
 * Memory ownership — nothing crosses the boundary:
 *   - Everything the runtime passes in (event, context strings, the output
 *     buffer) belongs to the runtime and is valid only during the call. Copy
 *     what you want to keep.
 *   - The library returns its response (or error message) by copying it into
 *     the runtime's output buffer with faas_output_write(); the runtime grows
 *     the buffer on demand. The library never allocates memory for the
 *     runtime and never frees memory the runtime gave it, so there is no
 *     free function and no allocator to match.
 *   - Do not write out->data, out->len or out->cap yourself: use the
 *     faas_output_* helpers below (a Rust or Zig library mirrors them; the
 *     runtime rejects an output whose len exceeds its cap).
 *
 * Threads: calls may come from different OS threads. Unless faas_flags has
 * FAAS_THREAD_SAFE, the runtime never overlaps two calls (init, handle and
 * shutdown included), even with AWS_LAMBDA_MAX_CONCURRENCY > 1. With
 * FAAS_THREAD_SAFE, faas_handle runs on up to AWS_LAMBDA_MAX_CONCURRENCY
 * threads at once.
 *
 * Crashes: the library runs inside the runtime process. A crash (SIGSEGV,
 * abort, a Rust panic across the boundary) ends the process: Lambda reports
 * the in-flight invocation as failed (Runtime.ExitError) and starts a fresh
 * execution environment (init again) for the next one. A handler that never
 * returns is stopped the same way at the function timeout.
 *
 * Versioning: FAAS_ABI_VERSION changes only for incompatible changes.
 * Fields may be appended to faas_context and faas_init_info within a
 * version; their `size` member says how much the runtime filled in. New
 * optional symbols may be added within a version, as the SnapStart hooks
 * were to version 1: a runtime that does not know one never calls it, and
 * a library that does not export one loses nothing.
 */
#ifndef FAAS_FUNCTION_H
#define FAAS_FUNCTION_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
#define FAAS_EXTERN_C extern "C"
#else
#define FAAS_EXTERN_C
#endif

#if defined(_WIN32)
#define FAAS_EXPORT FAAS_EXTERN_C __declspec(dllexport)
#else
#define FAAS_EXPORT FAAS_EXTERN_C __attribute__((visibility("default")))
#endif

/* The ABI version this header describes. */
#define FAAS_ABI_VERSION 1u

/* faas_flags bits. */
#define FAAS_THREAD_SAFE 0x1u /* faas_handle may run on several threads at once */

/* Return codes of faas_handle, faas_init and the helpers. */
#define FAAS_OK 0            /* out holds the response */
#define FAAS_ERROR 1         /* out holds the error message, out->error_type its type */
#define FAAS_E_TOO_LARGE (-1) /* the output would exceed the payload limit (6 MB) */

/* Longest error type, including its terminating NUL. */
#define FAAS_ERROR_TYPE_MAX 128

/*
 * A string the runtime passes in: ptr is never NULL and is NUL-terminated;
 * len excludes the NUL. An absent value is the empty string.
 */
typedef struct faas_str {
    const char *ptr;
    size_t len;
} faas_str;

/* The invocation context: the Lambda-Runtime-* headers of this event. */
typedef struct faas_context {
    uint32_t size;        /* sizeof(faas_context) as filled in by the runtime */
    uint32_t abi_version; /* the runtime's FAAS_ABI_VERSION */
    int64_t deadline_ms;  /* the invocation's deadline, Unix time in ms */
    faas_str request_id;
    faas_str function_arn;
    faas_str trace_id;         /* X-Ray trace header */
    faas_str client_context;   /* JSON, from mobile SDK invokes */
    faas_str cognito_identity; /* JSON */
    faas_str tenant_id;        /* tenant-isolated functions */
} faas_context;

/* What faas_init gets. */
typedef struct faas_init_info {
    uint32_t size;            /* sizeof(faas_init_info) as filled in by the runtime */
    uint32_t abi_version;     /* the runtime's FAAS_ABI_VERSION */
    uint32_t max_concurrency; /* most faas_handle calls that will overlap (1 unless thread-safe) */
    uint32_t reserved;
    faas_str task_root;       /* LAMBDA_TASK_ROOT */
    const faas_str *args;     /* the arguments after the library in CMD */
    size_t nargs;
} faas_init_info;

/*
 * The runtime's output buffer. Write to it only through the helpers below.
 * data[0..len) is the response (or, after FAAS_ERROR, the error message).
 */
typedef struct faas_output faas_output;
struct faas_output {
    uint8_t *data; /* runtime-owned; moves when the buffer grows */
    size_t len;    /* bytes written */
    size_t cap;    /* bytes available at data */
    /* Makes cap >= need. Returns 0, or FAAS_E_TOO_LARGE past the payload limit. */
    int32_t (*grow)(faas_output *out, size_t need);
    char error_type[FAAS_ERROR_TYPE_MAX]; /* NUL-terminated; set by faas_output_error */
};

/* Appends len bytes. Returns FAAS_OK or FAAS_E_TOO_LARGE. */
static inline int32_t faas_output_write(faas_output *out, const void *data, size_t len) {
    if (len > out->cap - out->len) {
        if (len > SIZE_MAX - out->len) return FAAS_E_TOO_LARGE;
        if (out->grow(out, out->len + len) != 0) return FAAS_E_TOO_LARGE;
    }
    if (len) memcpy(out->data + out->len, data, len);
    out->len += len;
    return FAAS_OK;
}

/* Appends a NUL-terminated string (without its NUL). */
static inline int32_t faas_output_puts(faas_output *out, const char *s) {
    return faas_output_write(out, s, strlen(s));
}

/* Discards what was written. */
static inline void faas_output_reset(faas_output *out) { out->len = 0; }

/*
 * Replaces the output with an error: `type` (e.g. "ValidationError";
 * truncated to FAAS_ERROR_TYPE_MAX-1 bytes) and `message`. Returns
 * FAAS_ERROR, so a handler can `return faas_output_error(out, ...);`.
 * The runtime posts it as {"errorType":..., "errorMessage":...}.
 */
static inline int32_t faas_output_error(faas_output *out, const char *type, const char *message) {
    size_t n = type ? strlen(type) : 0;
    if (n > FAAS_ERROR_TYPE_MAX - 1) n = FAAS_ERROR_TYPE_MAX - 1;
    if (n) memcpy(out->error_type, type, n);
    out->error_type[n] = '\0';
    out->len = 0;
    if (message) (void)faas_output_puts(out, message);
    return FAAS_ERROR;
}

/* Defines faas_abi_version and faas_flags; use it once per library. */
#define FAAS_FUNCTION(flags)                                               \
    FAAS_EXPORT const uint32_t faas_abi_version = FAAS_ABI_VERSION;        \
    FAAS_EXPORT const uint32_t faas_flags = (uint32_t)(flags)

/*
 * The handler. event[0..event_len) is the event (usually JSON; not
 * NUL-terminated; never NULL). Return FAAS_OK with the response written to
 * out, or FAAS_ERROR after faas_output_error(). Any other non-zero value is
 * an error too.
 */
FAAS_EXPORT int32_t faas_handle(const faas_context *ctx, const uint8_t *event, size_t event_len,
                                faas_output *out);

/*
 * Optional: runs once before the first invocation. Return FAAS_OK, or
 * FAAS_ERROR after faas_output_error(err, ...): the runtime reports it to
 * Lambda as the init error and exits.
 */
FAAS_EXPORT int32_t faas_init(const faas_init_info *info, faas_output *err);

/* Optional: runs once at shutdown (SIGTERM), after in-flight invocations. */
FAAS_EXPORT void faas_shutdown(void);

/*
 * Optional SnapStart hooks (AWS_LAMBDA_INITIALIZATION_TYPE=snap-start; never
 * called otherwise). faas_before_checkpoint runs once after faas_init, before
 * Lambda snapshots the environment: close connections, drop what must not be
 * shared. faas_after_restore runs after each restore, before the first
 * invocation: reconnect, reseed random generators, regenerate anything that
 * must be unique per environment (AWS "Handling uniqueness with Lambda
 * SnapStart"). Each returns FAAS_OK, or FAAS_ERROR after
 * faas_output_error(err, ...): before the checkpoint that fails init, after
 * the restore it fails the restore (/runtime/restore/error). Neither
 * overlaps another call of a library that is not FAAS_THREAD_SAFE.
 */
FAAS_EXPORT int32_t faas_before_checkpoint(faas_output *err);
FAAS_EXPORT int32_t faas_after_restore(faas_output *err);

#endif /* FAAS_FUNCTION_H */
