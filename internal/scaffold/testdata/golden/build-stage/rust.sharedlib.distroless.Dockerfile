# The library is a cdylib built for linux/amd64 with the glibc target
# (not musl: a musl cdylib cannot be loaded by a glibc process), on that
# platform (emulated when the build machine is another architecture), as
# linking it needs the target's glibc. The rust image is Debian 12, like
# distroless cc-debian12: the same glibc.
# build-amd64 compiles the function.
FROM --platform=linux/amd64 ${RUST_IMAGE} AS build-amd64
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked && \
    install -D target/release/libhello.so /out/hello.so
