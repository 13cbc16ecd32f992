# sharedlib mode: the glibc-linked runtime build and the example libraries.
# The default bin/faas-runtime never contains this mode (it stays static).
.PHONY: sharedlib sharedlib-examples

SHAREDLIB_CC ?= cc
CARGO ?= $(shell command -v cargo 2>/dev/null || echo $(HOME)/.cargo/bin/cargo)

# faas-runtime-sharedlib: the same main package with -tags sharedlib. purego
# makes it dynamically linked against glibc even with CGO_ENABLED=0.
sharedlib:
	$(GOBUILD) -tags sharedlib -o $(BIN)/faas-runtime-sharedlib ./cmd/faas-runtime

sharedlib-examples:
	$(SHAREDLIB_CC) -shared -fPIC -O2 -Wall -Iinclude -o examples/sharedlib-c/echo.so examples/sharedlib-c/echo.c
	cd examples/sharedlib-rust && $(CARGO) build --offline --release

TEST_PREREQS += sharedlib
