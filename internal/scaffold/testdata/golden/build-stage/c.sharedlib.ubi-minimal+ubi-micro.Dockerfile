# The library is compiled on UBI 9 itself for linux/amd64 (emulated when
# the build machine is another architecture; a small library builds in
# seconds), so it links against the glibc it is loaded next to. The header
# is the project's include/faas/function.h, the same file the
# faas-runtime-sharedlib package installs as /usr/include/faas/function.h.
# build-amd64 compiles the function.
FROM --platform=linux/amd64 ${UBI_IMAGE} AS build-amd64
RUN dnf install -y --nodocs --setopt=install_weak_deps=False gcc make && \
    dnf clean all
WORKDIR /src
COPY Makefile function.c ./
COPY include ./include
RUN make LIB=/out/hello.so
