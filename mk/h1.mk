# runtime/h1 + runtime/client: the Runtime API round trip on h1 vs net/http.
BENCH_PKGS += ./runtime/client/
