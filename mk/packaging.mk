# Packaging: rpm/deb/apk/archlinux/MSYS2 packages, Lambda layers, the
# Homebrew formula (dist/packages) and the signed repositories (dist/repo).
# Keys: FAAS_PGP_KEY, FAAS_APK_KEY (see docs/packages.md);
# without them throwaway keys are made in dist/keys.
GORELEASER_VERSION := v2.14.3
GORELEASER := $(shell $(GO) env GOPATH)/bin/goreleaser

# Pass VERSION through only when the user set it; otherwise packaging/version
# derives it from git describe (with the prerelease mapping per format).
PKG_FLAGS := $(if $(filter command line environment override,$(origin VERSION)),--version $(VERSION))

.PHONY: packages repo goreleaser-install
packages:
	$(GO) run ./packaging/cmd/faas-pkg packages $(PKG_FLAGS)

repo:
	$(GO) run ./packaging/cmd/faas-pkg repo $(PKG_FLAGS)

# GoReleaser for the .goreleaser.yaml checks in make test (~4 min cold).
goreleaser-install:
	@if ! $(GORELEASER) --version 2>/dev/null | grep -q 'GitVersion: *$(GORELEASER_VERSION)$$'; then \
	  echo "installing goreleaser $(GORELEASER_VERSION) (takes a few minutes the first time)"; \
	  GOFLAGS= $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION); \
	fi

TEST_PREREQS += repo goreleaser-install
