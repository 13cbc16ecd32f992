# Packaging: rpm/deb/apk/archlinux/MSYS2 packages, Lambda layers, the
# Homebrew formula (dist/packages) and the signed repositories (dist/repo).
# Keys: FAAS_PGP_KEY, FAAS_APK_KEY (see docs/packages.md);
# without them throwaway keys are made in dist/keys.
GORELEASER_VERSION := v2.14.3
GORELEASER := $(shell $(GO) env GOPATH)/bin/goreleaser

# Pass VERSION through only when the user set it; otherwise packaging/version
# derives it from git describe (with the prerelease mapping per format).
PKG_FLAGS := $(if $(filter command line environment override,$(origin VERSION)),--version $(VERSION))

.PHONY: packages repo goreleaser-install apk-tools release-snapshot
packages:
	$(GO) run ./packaging/cmd/faas-pkg packages $(PKG_FLAGS)

repo:
	$(GO) run ./packaging/cmd/faas-pkg repo $(PKG_FLAGS) $(if $(REPO_FROM),--from $(REPO_FROM)) $(if $(REPO_KEEP),--keep $(REPO_KEEP))

# A GoReleaser snapshot with faas-pkg's version (dist/goreleaser, dist/release-assets).
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

TEST_PREREQS += repo goreleaser-install apk-tools
