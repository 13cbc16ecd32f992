# The function is compiled on the build machine for linux/amd64 and linked
# statically with musl, independent of the base's libc; rust-lld links
# for either architecture without a cross C toolchain.
# build compiles the function.
FROM --platform=$BUILDPLATFORM ${RUST_IMAGE} AS build
RUN rustup target add x86_64-unknown-linux-musl
ENV CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_LINKER=rust-lld
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --target x86_64-unknown-linux-musl && \
    install -D target/x86_64-unknown-linux-musl/release/handler /out/handler
