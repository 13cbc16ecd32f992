# Stand-in bases with the real installers (microdnf, dnf, apk 2 and 3) for
# test/e2e/installers and scripts/build.sh's size table. Built once from
# ../shared/package-managers in a debootstrap'd Debian root, then loaded
# from the test cache (FAAS_TEST_CACHE): cold minutes, warm seconds. Built
# before `go test` so that the cold build is outside the test timeout.
.PHONY: standin-bases
standin-bases:
	@if [ "$$(id -u)" != 0 ] && [ "$${CI:-}" != true ]; then \
	  echo "standin-bases: needs root; skipped (test/e2e/installers skips too)"; \
	else \
	  bash scripts/standin-bases.sh --arch amd64; \
	  if [ "$${FAAS_E2E_ARM64:-}" = 1 ]; then bash scripts/standin-bases.sh --arch arm64; fi; \
	fi

TEST_PREREQS += standin-bases

# The installer e2e tests for arm64 too (under qemu): the arm64 stand-ins
# take about 46 minutes to build cold, so `make test` builds amd64 only.
.PHONY: test-installers-arm64
test-installers-arm64: build repo
	FAAS_E2E_ARM64=1 $(MAKE) standin-bases
	FAAS_E2E_ARM64=1 $(GO) test -count=1 -timeout 90m ./test/e2e/installers/
