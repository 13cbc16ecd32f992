/* The exec-mode benchmark's function: copies stdin to stdout, nothing else.
   Built static (gcc -static -O2 -s) so fork+exec is as cheap as it gets. */
#include <unistd.h>
int main(void) {
    char buf[65536];
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0)
        if (write(1, buf, (size_t)n) != n) return 1;
    return n < 0;
}
