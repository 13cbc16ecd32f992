# faas-runtime — build, test, packages, demo, bench. One file in sections:
#   settings · build · test (and every tool it needs) · packages and
#   repository · sharedlib · installer stand-ins · supply-chain verifiers ·
#   demo, bench, soak, fuzz · clean
SHELL := /bin/bash
.DEFAULT_GOAL := build

# ---- settings ---------------------------------------------------------------

GO        ?= go
export CONTAINERS_CONF := $(CURDIR)/scripts/containers.conf
export GOFLAGS := -buildvcs=false
GOBIN_DIR := $(shell $(GO) env GOPATH)/bin
# The tests and GoReleaser's sboms: (syft) find the go-installed tools on PATH.
export PATH := $(GOBIN_DIR):$(PATH)

# One source of the version: packaging/pkgversion (X.Y.Z on a tag,
# X.Y.Z+1-pre.N between tags), the same as the packages and GoReleaser's
# snapshots. cmd/faas-version is that package and a main, nothing else;
# it runs once, and only when a recipe uses $(VERSION) (not for `make clean`).
ifeq ($(strip $(VERSION)),)
VERSION = $(eval VERSION := $(shell GOFLAGS=-buildvcs=false $(GO) run ./cmd/faas-version))$(VERSION)
endif
LDFLAGS    = -s -w -X github.com/faas-runtime/faas-runtime/runtime/version.Version=$(VERSION)
GOBUILD    = CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)"
BIN       := bin

# ---- build ------------------------------------------------------------------

.PHONY: build vet cross
build:
	$(GOBUILD) -o $(BIN)/faas-runtime ./cmd/faas-runtime
	$(GOBUILD) -o $(BIN)/runtime-init ./cmd/runtime-init

vet:
	$(GO) vet ./...

# The CLI ships through Homebrew and MSYS2: it must build for macOS and Windows.
cross:
	GOOS=darwin  GOARCH=arm64 $(GOBUILD) -o /dev/null ./cmd/runtime-init
	GOOS=darwin  GOARCH=amd64 $(GOBUILD) -o /dev/null ./cmd/runtime-init
	GOOS=windows GOARCH=amd64 $(GOBUILD) -o /dev/null ./cmd/runtime-init
	GOOS=windows GOARCH=arm64 $(GOBUILD) -o /dev/null ./cmd/runtime-init

# ---- test -------------------------------------------------------------------

.PHONY: deps test
# The Debian packages the tests and the demo use (root installs them;
# otherwise it names the missing ones).
deps:
	bash scripts/install-deps.sh

# What `make test` runs: the Debian packages; then, two at a time, the
# steps that do not depend on each other — SeaweedFS (the S3 server of
# the publish tests), the installer stand-ins, the verifiers GoReleaser,
# syft and cosign (go install), the binaries, vet,
# the cross-builds, the sharedlib build, the signed repository in
# dist/repo, apk-tools 2 and 3, and the compile of every test binary;
# then every Go test, a short fuzz of every target, and the check that
# nothing was written under /usr (the tests write only into temporary
# directories and dist/: scripts/host-untouched.sh). test/sdk is a module
# of its own (the AWS SDK for Go v2 against serve, kept out of the main
# module), so ./... does not reach it: it runs on its own line.
#
# Two at a time, longest first: a cold run's go installs are mostly module
# downloads and single-threaded links, and the stand-ins' debootstrap
# downloads and qemu-emulated stages, so each leaves a core the other
# uses. -O prints each step's output whole when it ends.
TEST_STAMP := $(or $(TMPDIR),/tmp)/faas-runtime-make-test.stamp
TEST_PREREQS := weed-install standin-bases syft-install cosign-install goreleaser-install test-compile build vet cross sharedlib repo apk-tools
.PHONY: test-prereqs test-compile
test-prereqs: $(TEST_PREREQS)

test: deps
	$(MAKE) --no-print-directory -j2 -O test-prereqs
	touch $(TEST_STAMP)
	$(GO) test -p 2 -timeout 50m -count=1 ./...
	cd test/sdk && $(GO) test -count=1 -timeout 10m ./...
	FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh
	bash scripts/host-untouched.sh $(TEST_STAMP)

# Compiles (and links) every test binary without running it, so that
# go test's own compile is done while other steps wait on the network.
test-compile:
	$(GO) test -count=1 -exec true ./... >/dev/null

# ---- packages and repository ------------------------------------------------
# rpm/deb/apk/archlinux/MSYS2 packages, Lambda layers, the Homebrew formula
# (dist/packages) and the signed repositories (dist/repo). Keys:
# FAAS_PGP_KEY, FAAS_APK_KEY (see docs/packages.md); without them
# throwaway keys are made in dist/keys.

.PHONY: packages repo release release-rehearsal release-snapshot goreleaser-install apk-tools
# Pass VERSION through only when the user set it; otherwise packaging/pkgversion
# derives it from git describe (with the prerelease mapping per format).
PKG_FLAGS := $(if $(filter command line environment override,$(origin VERSION)),--version $(VERSION))

packages:
	$(GO) run ./cmd/faas-pkg packages $(PKG_FLAGS)

# Cut a release (docs/releasing.md): TAG=vX.Y.Z with the release keys in
# FAAS_PGP_KEY and FAAS_APK_KEY, the targets in FAAS_RELEASE_FROM,
# FAAS_PAGES_REPO, FAAS_RELEASE_S3, FAAS_TAP_REPO; FIRST=1 only for the
# first release. .github/workflows/release.yml runs it on a tag.
release:
	$(GO) run ./cmd/faas-pkg release --tag "$(TAG)" $(if $(FIRST),--first)

# The release pipeline rehearsed (make test runs it too): two releases,
# 0.1.0 then 0.2.0, with faas-pkg release against local stand-ins of the
# Pages branch, the tap, S3 and the GitHub release, then installed from
# each with the real clients, and as docs/installers.md tells users, in the
# installer stand-ins (test/rehearsal).
release-rehearsal: weed-install apk-tools standin-bases
	$(GO) test -count=1 -timeout 30m -run TestRehearsal -v ./test/rehearsal/

repo:
	$(GO) run ./cmd/faas-pkg repo $(PKG_FLAGS) $(if $(REPO_FROM),--from $(REPO_FROM)) $(if $(REPO_KEEP),--keep $(REPO_KEEP))

GORELEASER_VERSION := v2.14.3
GORELEASER := $(GOBIN_DIR)/goreleaser

# A GoReleaser snapshot with the build's version (dist/goreleaser, dist/release-assets).
release-snapshot: goreleaser-install
	FAAS_VERSION=$(VERSION) $(GORELEASER) release --snapshot --clean

# GoReleaser for the .goreleaser.yaml checks in make test (~4 min cold).
goreleaser-install:
	@if ! $(GORELEASER) --version 2>/dev/null | grep -q 'GitVersion: *$(GORELEASER_VERSION)$$'; then \
	  echo "installing goreleaser $(GORELEASER_VERSION) (takes a few minutes the first time)"; \
	  GOFLAGS= $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION); \
	fi

# apk-tools 2.14 and 3.0 for packaging/repo's TestApkTools, built from the
# upstream sources in ../shared/package-managers into /opt/faas-pm/bin
# (about 2 minutes the first time; idempotent).
PM_BUILD := $(CURDIR)/../shared/package-managers/build.sh
apk-tools:
	@if [ -x /opt/faas-pm/bin/apk2 ] && [ -x /opt/faas-pm/bin/apk3 ]; then :; \
	elif [ -f $(PM_BUILD) ]; then bash $(PM_BUILD) /opt/faas-pm; \
	else echo "apk-tools: $(PM_BUILD) not found (CI puts shared/ beside the clone)" >&2; exit 1; fi

# ---- sharedlib ----------------------------------------------------------------
# The glibc-linked runtime build and the example libraries. The default
# bin/faas-runtime never contains this mode (it stays static).

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

# ---- installer stand-ins ------------------------------------------------------
# Stand-in bases with the real installers (microdnf, dnf, apk 2 and 3) for
# test/e2e/installers and scripts/image-sizes.sh's size table, for amd64 and
# arm64 (its installers cross-compiled, its stages run under qemu). Built
# once from ../shared/package-managers in a debootstrap'd Debian root,
# then loaded from the test cache (FAAS_TEST_CACHE): cold minutes, warm
# seconds. Built before `go test` so that the cold build is outside the
# test timeout.

.PHONY: standin-bases
standin-bases:
	@if [ "$$(id -u)" != 0 ] && [ "$${CI:-}" != true ]; then \
	  echo "standin-bases: needs root; skipped (test/e2e/installers skips too)"; \
	else \
	  bash scripts/standin-bases.sh --arch amd64 && bash scripts/standin-bases.sh --arch arm64; \
	fi

# ---- supply-chain verifiers ---------------------------------------------------
# syft and cosign check the SBOMs and signatures that runtime-init build
# --push attaches (test/e2e/image) and the steps of docs/verify.md.
# Installed with go install; the installed module version is read from the
# binary's build info, so a stale binary is replaced. Measured cold on the
# 2-core machine: syft ~10 min, cosign ~6 min after syft (docs/verify.md,
# "Tools").

.PHONY: syft-install cosign-install supplychain-tools
SYFT_VERSION   := v1.57.2
COSIGN_MODULE  := github.com/sigstore/cosign/v3
COSIGN_VERSION := v3.1.3

syft-install:
	@if ! $(GO) version -m $(GOBIN_DIR)/syft 2>/dev/null | grep -qP '^\tmod\tgithub.com/anchore/syft\t$(SYFT_VERSION)\t'; then \
	  echo "installing syft $(SYFT_VERSION) (a few minutes the first time)"; \
	  GOFLAGS= GOBIN=$(GOBIN_DIR) $(GO) install github.com/anchore/syft/cmd/syft@$(SYFT_VERSION); \
	fi

cosign-install:
	@if ! $(GO) version -m $(GOBIN_DIR)/cosign 2>/dev/null | grep -qP '^\tmod\t$(COSIGN_MODULE)\t$(COSIGN_VERSION)\t'; then \
	  echo "installing cosign $(COSIGN_VERSION) (a few minutes the first time)"; \
	  GOFLAGS= GOBIN=$(GOBIN_DIR) $(GO) install $(COSIGN_MODULE)/cmd/cosign@$(COSIGN_VERSION); \
	fi

supplychain-tools: syft-install cosign-install

# ---- object store -------------------------------------------------------------
# SeaweedFS, the real S3 server that packaging/publish's tests and the
# release rehearsal publish to (started by each test on 127.0.0.1, stopped
# by PID). Its go.mod has replace directives, which `go install pkg@version`
# refuses, so it is built inside its downloaded module; weed.version beside
# the binary records which version it is, so a stale binary is replaced.

.PHONY: weed-install
WEED_MODULE  := github.com/seaweedfs/seaweedfs
WEED_VERSION := v0.0.0-20261109003541-7506e5f91cd6

weed-install:
	@if [ ! -x $(GOBIN_DIR)/weed ] || [ "$$(cat $(GOBIN_DIR)/weed.version 2>/dev/null)" != "$(WEED_VERSION)" ]; then \
	  echo "installing SeaweedFS $(WEED_VERSION) (weed; several minutes the first time)"; \
	  dir=$$(cd / && GOFLAGS= $(GO) mod download -json $(WEED_MODULE)@$(WEED_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p') && \
	  test -n "$$dir" && cd "$$dir" && GOFLAGS=-buildvcs=false $(GO) build -trimpath -o $(GOBIN_DIR)/weed ./weed && \
	  echo $(WEED_VERSION) > $(GOBIN_DIR)/weed.version; \
	fi

# ---- demo, bench, soak, fuzz --------------------------------------------------

.PHONY: demo bench soak soak-serve fuzz
# deps first: the demo builds packages and runs an image with podman.
demo: deps build
	bash scripts/demo.sh

# Benchmark packages beyond ./bench: the Runtime API round trip on h1 vs
# net/http, http mode, the image build vs buildah, sharedlib mode.
BENCH_PKGS := ./runtime/client/ ./runtime/modes/httpmode ./internal/image/build ./runtime/modes/sharedlib
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

# Every fuzz target for FUZZTIME each (make test: a short fixed budget).
FUZZTIME ?= 100000x
fuzz:
	FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

# ---- clean --------------------------------------------------------------------

.PHONY: clean
clean:
	rm -rf $(BIN) dist
