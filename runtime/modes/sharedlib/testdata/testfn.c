/*
 * A test library for the sharedlib mode. The event picks the behaviour;
 * -D flags build the broken variants init must refuse:
 *   -DWRONG_ABI   faas_abi_version = 99
 *   -DNO_VERSION  no faas_abi_version at all
 *   -DNO_HANDLER  no faas_handle
 *   -DINIT_FAIL   faas_init fails with an error
 *   -DSERIAL      faas_flags = 0 (default here: FAAS_THREAD_SAFE)
 *   -DHOOK_FAIL   faas_after_restore fails with an error
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <faas/function.h>

#ifdef WRONG_ABI
FAAS_EXPORT const uint32_t faas_abi_version = 99;
FAAS_EXPORT const uint32_t faas_flags = 0;
#elif defined(NO_VERSION)
FAAS_EXPORT const uint32_t faas_flags = 0;
#elif defined(SERIAL)
FAAS_FUNCTION(0);
#else
FAAS_FUNCTION(FAAS_THREAD_SAFE);
#endif

static char init_args[256];
static atomic_int inflight __attribute__((unused)), max_inflight __attribute__((unused));

FAAS_EXPORT int32_t faas_init(const faas_init_info *info, faas_output *err) {
#ifdef INIT_FAIL
    (void)info;
    return faas_output_error(err, "ConfigError", "init: the configuration is missing");
#else
    (void)err;
    snprintf(init_args, sizeof init_args, "root=%s conc=%u nargs=%zu", info->task_root.ptr,
             info->max_concurrency, info->nargs);
    for (size_t i = 0; i < info->nargs; i++) {
        strncat(init_args, " ", sizeof init_args - strlen(init_args) - 1);
        strncat(init_args, info->args[i].ptr, sizeof init_args - strlen(init_args) - 1);
    }
    return FAAS_OK;
#endif
}

static int __attribute__((unused)) is(const uint8_t *ev, size_t n, const char *word) {
    return n == strlen(word) && memcmp(ev, word, n) == 0;
}

static int32_t __attribute__((unused)) put_str(faas_output *out, const char *key, faas_str s) {
    faas_output_puts(out, key);
    faas_output_puts(out, "=");
    faas_output_write(out, s.ptr, s.len);
    /* the ABI promises NUL termination too */
    return faas_output_puts(out, s.ptr[s.len] == '\0' ? "\n" : " (not NUL-terminated)\n");
}

/* SnapStart hooks: each appends its name to the lifecycle, which the event
 * "lifecycle" returns. */
static char lifecycle[64] = "init";

FAAS_EXPORT int32_t faas_before_checkpoint(faas_output *err) {
    (void)err;
    strncat(lifecycle, ",before", sizeof lifecycle - strlen(lifecycle) - 1);
    return FAAS_OK;
}

FAAS_EXPORT int32_t faas_after_restore(faas_output *err) {
#ifdef HOOK_FAIL
    return faas_output_error(err, "ReconnectError", "after restore: the database is unreachable");
#else
    (void)err;
    strncat(lifecycle, ",after", sizeof lifecycle - strlen(lifecycle) - 1);
    return FAAS_OK;
#endif
}

#ifndef NO_HANDLER
FAAS_EXPORT int32_t faas_handle(const faas_context *ctx, const uint8_t *event, size_t n,
                                faas_output *out) {
    if (is(event, n, "context")) {
        char line[128];
        snprintf(line, sizeof line, "size=%u abi=%u deadline=%lld\n", ctx->size, ctx->abi_version,
                 (long long)ctx->deadline_ms);
        faas_output_puts(out, line);
        put_str(out, "request_id", ctx->request_id);
        put_str(out, "function_arn", ctx->function_arn);
        put_str(out, "trace_id", ctx->trace_id);
        put_str(out, "client_context", ctx->client_context);
        put_str(out, "cognito_identity", ctx->cognito_identity);
        put_str(out, "tenant_id", ctx->tenant_id);
        faas_output_puts(out, init_args);
        return FAAS_OK;
    }
    if (is(event, n, "lifecycle")) return faas_output_puts(out, lifecycle);
    if (is(event, n, "crash")) {
        fprintf(stderr, "testfn: crashing on purpose\n");
        fflush(stderr);
        raise(SIGSEGV);
    }
    if (is(event, n, "error-no-message")) return 7;
    if (is(event, n, "hang")) { /* never returns in time */
        struct timespec ts = {60, 0};
        nanosleep(&ts, NULL);
    }
    if (is(event, n, "late")) { /* answers after 2.5 s: past a 2 s timeout */
        struct timespec ts = {2, 500 * 1000 * 1000};
        nanosleep(&ts, NULL);
        return faas_output_puts(out, "A's late answer");
    }
    if (n > 4 && memcmp(event, "big ", 4) == 0) { /* "big N": N bytes of 'x', in 1000-byte writes */
        long want = strtol((const char *)event + 4, NULL, 10);
        char chunk[1000];
        memset(chunk, 'x', sizeof chunk);
        for (long done = 0; done < want;) {
            long k = want - done < 1000 ? want - done : 1000;
            int32_t rc = faas_output_write(out, chunk, (size_t)k);
            if (rc != FAAS_OK) return rc;
            done += k;
        }
        return FAAS_OK;
    }
    if (is(event, n, "overlap")) { /* reports the most calls seen running at once */
        int now = atomic_fetch_add(&inflight, 1) + 1;
        int prev = atomic_load(&max_inflight);
        while (now > prev && !atomic_compare_exchange_weak(&max_inflight, &prev, now)) {}
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        atomic_fetch_sub(&inflight, 1);
        char line[32];
        snprintf(line, sizeof line, "%d", atomic_load(&max_inflight));
        return faas_output_puts(out, line);
    }
    return faas_output_write(out, event, n);
}
#endif
