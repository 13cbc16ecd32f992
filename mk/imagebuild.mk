# runtime-init build/inspect (internal/image/...): the build-time benchmark
# against buildah bud and the image-size report join `make bench`.
BENCH_PKGS += ./internal/image/build
