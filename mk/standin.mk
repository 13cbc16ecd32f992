# Stand-in bases with the real installers (microdnf, dnf, apk 2 and 3) for
# test/e2e/installers and scripts/build.sh's size table, for amd64 and
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

TEST_PREREQS += standin-bases
