# faas-runtime — build, test, demo, bench. Packaging and the sharedlib build
# have their own targets in mk/packaging.mk and mk/sharedlib.mk.
SHELL := /bin/bash
.DEFAULT_GOAL := build

GO        ?= go
# One source of the version: packaging/version (X.Y.Z on a tag, X.Y.Z+1-pre.N
# between tags), the same as the packages and GoReleaser's snapshots.
ifeq ($(strip $(VERSION)),)
VERSION   := $(shell GOFLAGS=-buildvcs=false $(GO) run ./packaging/cmd/faas-pkg version)
endif
LDFLAGS   := -s -w -X github.com/faas-runtime/faas-runtime/runtime/version.Version=$(VERSION)
GOBUILD   := CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)"
BIN       := bin
export CONTAINERS_CONF := $(CURDIR)/scripts/containers.conf
export GOFLAGS := -buildvcs=false

# Extra prerequisites of `make test` that mk/*.mk add.
TEST_PREREQS :=
# Benchmark packages beyond ./bench (make bench): the Runtime API round trip
# on h1 vs net/http, http mode, the image build vs buildah, sharedlib mode.
BENCH_PKGS := ./runtime/client/ ./runtime/modes/httpmode ./internal/image/build ./runtime/modes/sharedlib
-include mk/*.mk

.PHONY: build deps test vet cross demo bench soak soak-serve fuzz clean
build:
	$(GOBUILD) -o $(BIN)/faas-runtime ./cmd/faas-runtime
	$(GOBUILD) -o $(BIN)/runtime-init ./cmd/runtime-init

# The Debian packages the tests and the demo use (root installs them;
# otherwise it names the missing ones).
deps:
	bash scripts/install-deps.sh

vet:
	$(GO) vet ./...

# The CLI ships through Homebrew and MSYS2: it must build for macOS and Windows.
cross:
	GOOS=darwin  GOARCH=arm64 $(GOBUILD) -o /dev/null ./cmd/runtime-init
	GOOS=darwin  GOARCH=amd64 $(GOBUILD) -o /dev/null ./cmd/runtime-init
	GOOS=windows GOARCH=amd64 $(GOBUILD) -o /dev/null ./cmd/runtime-init
	GOOS=windows GOARCH=arm64 $(GOBUILD) -o /dev/null ./cmd/runtime-init

# The tests write only into temporary directories and dist/: anything new
# under /usr after them fails make test (scripts/host-untouched.sh).
TEST_STAMP := $(or $(TMPDIR),/tmp)/faas-runtime-make-test.stamp
test: deps build vet cross $(TEST_PREREQS)
	touch $(TEST_STAMP)
	$(GO) test -p 2 -timeout 50m -count=1 ./...
	FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh
	bash scripts/host-untouched.sh $(TEST_STAMP)

# Every fuzz target for FUZZTIME each (make test: a short fixed budget).
FUZZTIME ?= 100000x
fuzz:
	FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

# deps first: the demo builds packages and runs an image with podman.
demo: deps build
	bash scripts/demo.sh

bench: build
	bash scripts/bench.sh $(BENCH_PKGS)

# The fault-injection soak at full size (make test runs it smaller).
SOAK_N ?= 1700
soak:
	mkdir -p dist
	$(GO) test -count=1 -run TestSoak -timeout 60m ./test/soak/ -soak.n $(SOAK_N) -soak.report $(CURDIR)/dist/soak.md
	cat dist/soak.md

# serve's memory over 10,000 invocations of 1 MiB (make test runs 300).
SERVE_N ?= 10000
soak-serve: build
	mkdir -p dist
	$(GO) test -count=1 -run TestServeMemory -timeout 60m -v ./test/soak/ -soak.serve-n $(SERVE_N) -soak.serve-report $(CURDIR)/dist/soak-serve.md
	cat dist/soak-serve.md

clean:
	rm -rf $(BIN) dist
