/* The soak test's sharedlib-mode function: the event names the fault, e.g.
   {"fault":"crash","n":17}. Anything else is echoed. Built by the test:
   gcc -shared -fPIC -O2 -Iinclude -o faulty.so soak/testdata/faulty.c */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <faas/function.h>

FAAS_FUNCTION(FAAS_THREAD_SAFE);

static int has(const uint8_t *s, size_t n, const char *w) {
    size_t k = strlen(w);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(s + i, w, k) == 0) return 1;
    return 0;
}

FAAS_EXPORT int32_t faas_handle(const faas_context *ctx, const uint8_t *ev, size_t n, faas_output *out) {
    (void)ctx;
    if (has(ev, n, "\"fault\":\"crash\"")) raise(SIGSEGV); /* takes the runtime down, as in Lambda */
    if (has(ev, n, "\"fault\":\"exit\"")) return faas_output_error(out, "FaultError", "the event asked for an error");
    if (has(ev, n, "\"fault\":\"hang\"")) for (;;) pause(); /* only a sandbox reset ends this */
    if (has(ev, n, "\"fault\":\"stderr\"")) {
        for (int i = 0; i < 2000; i++) fputs("log line flooding stderr log line flooding stderr log line flooding stderr\n", stderr);
    }
    if (has(ev, n, "\"fault\":\"oversize\"")) {
        static uint8_t mb[1 << 20];
        memset(mb, 'x', sizeof mb);
        for (int i = 0; i < 7; i++) { int32_t rc = faas_output_write(out, mb, sizeof mb); if (rc != 0) return rc; }
        return 0;
    }
    if (has(ev, n, "\"fault\":\"garbage\"")) {
        static const uint8_t g[] = {0xff, 0xfe, 0x00, 0x01, '{', '{', 0x80};
        return faas_output_write(out, g, sizeof g);
    }
    if (has(ev, n, "\"fault\":\"slow\"")) usleep(100000);
    if (has(ev, n, "\"fault\":\"sigterm\"")) usleep(2000000);
    return faas_output_write(out, ev, n);
}
