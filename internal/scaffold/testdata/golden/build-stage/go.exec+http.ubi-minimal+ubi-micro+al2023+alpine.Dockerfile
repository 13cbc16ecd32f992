# The function is compiled on the build machine, cross-compiled for
# linux/amd64 without emulation; CGO off gives a static binary, independent of the base's libc.
# build compiles the function.
FROM --platform=$BUILDPLATFORM ${GOLANG_IMAGE} AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOOS=linux GOARCH=amd64
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags="-s -w" -o /out/handler .
