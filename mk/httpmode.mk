# http mode (runtime/modes/httpmode): its benchmarks join `make bench`.
BENCH_PKGS += ./runtime/modes/httpmode
