# The library is a cdylib built for linux/amd64 with the glibc target
# (not musl: a musl cdylib cannot be loaded by a glibc process), on that
# platform (emulated when the build machine is another architecture), as
# linking it needs the target's glibc. The rust image is Debian 12 (glibc
# 2.36) and UBI 9 has glibc 2.34: a std-only library asks for nothing newer,
# and the build fails here, not at init, if it ever does.
# build-amd64 compiles the function.
FROM --platform=linux/amd64 ${RUST_IMAGE} AS build-amd64
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    set -eu; \
    cargo build --release --locked; \
    install -D target/release/libhello.so /out/hello.so; \
    newer=$(objdump -T /out/hello.so | grep -Eo 'GLIBC_2\.[0-9]+' | sort -u | awk -F. '$2 > 34'); \
    [ -z "$newer" ] || { echo "hello.so needs $newer, newer than UBI 9's glibc 2.34" >&2; exit 1; }
