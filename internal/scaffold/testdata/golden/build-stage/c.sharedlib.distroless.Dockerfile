# The library is compiled on Debian 12 for linux/amd64 (emulated when the
# build machine is another architecture; a small library builds in
# seconds): the same glibc as distroless cc-debian12. The header is the
# project's include/faas/function.h, the same file the
# faas-runtime-sharedlib package installs as /usr/include/faas/function.h.
# build-amd64 compiles the function.
FROM --platform=linux/amd64 ${DEBIAN_IMAGE} AS build-amd64
RUN apt-get update -qq && \
    apt-get install -y -qq --no-install-recommends gcc libc6-dev make && \
    rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile function.c ./
COPY include ./include
RUN make LIB=/out/hello.so
