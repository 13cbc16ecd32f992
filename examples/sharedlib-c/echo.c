/*
 * echo: a sharedlib-mode function in C. It answers with the event it got,
 * or, for an event with "error" in it, returns an error.
 *
 *   cc -shared -fPIC -O2 -I../../include -o echo.so echo.c
 *   runtime-init invoke --event event.json -- ./echo.so
 */
#include <stdio.h>

#include <faas/function.h>

FAAS_FUNCTION(FAAS_THREAD_SAFE); /* no shared state: calls may overlap */

static int contains(const uint8_t *s, size_t n, const char *word) {
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= n; i++)
        if (memcmp(s + i, word, w) == 0) return 1;
    return 0;
}

FAAS_EXPORT int32_t faas_handle(const faas_context *ctx, const uint8_t *event, size_t event_len,
                                faas_output *out) {
    /* stderr is the function's log (CloudWatch). */
    fprintf(stderr, "echo: request %s, %zu bytes\n", ctx->request_id.ptr, event_len);
    if (contains(event, event_len, "\"error\""))
        return faas_output_error(out, "EchoError", "the event asked for an error");
    return faas_output_write(out, event, event_len);
}

/*
 * SnapStart hooks (optional; called only with AWS_LAMBDA_INITIALIZATION_TYPE=
 * snap-start): this function keeps nothing to drop or renew, so they only
 * log. A real one closes connections before the snapshot and reconnects and
 * reseeds after each restore.
 */
FAAS_EXPORT int32_t faas_before_checkpoint(faas_output *err) {
    (void)err;
    fprintf(stderr, "echo: before checkpoint\n");
    return FAAS_OK;
}

FAAS_EXPORT int32_t faas_after_restore(faas_output *err) {
    (void)err;
    fprintf(stderr, "echo: after restore\n");
    return FAAS_OK;
}
