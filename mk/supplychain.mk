# Supply chain (issue 17): syft and cosign check the SBOMs and signatures
# that runtime-init build --push attaches (test/e2e/image) and the steps of
# docs/verify.md. Installed with go install; the installed module version is
# read from the binary's build info, so a stale binary is replaced.
SYFT_VERSION   := v1.57.2
COSIGN_MODULE  := github.com/sigstore/cosign/v3
COSIGN_VERSION := v3.1.3
GOBIN_DIR      := $(shell $(GO) env GOPATH)/bin
# The tests and GoReleaser's sboms: (syft) find the installed tools on PATH.
export PATH := $(GOBIN_DIR):$(PATH)

.PHONY: syft-install cosign-install supplychain-tools
# Measured cold on the 2-core machine: syft ~10 min, cosign ~6 min after
# syft (docs/verify.md, "Tools").
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

TEST_PREREQS += supplychain-tools
