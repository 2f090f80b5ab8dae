# Targets named as in the Prometheus exporters' Makefile.common, backed by
# plain go commands (promu is not needed).
GO        ?= go
BIN       ?= billing_exporter
VERSION   ?= $(shell cat VERSION)
REVISION  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)$(shell git status --porcelain 2>/dev/null | grep -q . && echo -modified)
BRANCH    ?= $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
BUILD_DATE ?= $(shell date -u +%Y%m%d-%H:%M:%S)
LDFLAGS   := -s -w \
             -X github.com/prometheus/common/version.Version=$(VERSION) \
             -X github.com/prometheus/common/version.Revision=$(REVISION) \
             -X github.com/prometheus/common/version.Branch=$(BRANCH) \
             -X github.com/prometheus/common/version.BuildUser=$(shell whoami)@$(shell hostname) \
             -X github.com/prometheus/common/version.BuildDate=$(BUILD_DATE)
# make release cross-builds these; make image packs the linux ones.
PLATFORMS ?= linux/amd64 linux/arm64 darwin/arm64 windows/amd64
IMAGE     ?= billing_exporter
IMAGE_ARCHS ?= amd64 arm64

export GO VERSION REVISION LDFLAGS PLATFORMS

.PHONY: all build release image test test-all style vet lint demo bench bench-smoke

all: style vet lint test build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/billing_exporter

# Static binaries in .build/<os>-<arch>/, one tarball per platform (binary,
# LICENSE, CHANGELOG.md, example config) in .build/release/ with
# sha256sums.txt, named as Prometheus names its release tarballs.
release:
	scripts/release.sh

# One image per linux architecture from the binaries of make release, FROM
# scratch (Dockerfile.prebuilt, as Prometheus' images copy promu's
# binaries); buildah builds it without a container engine or a base image.
image:
	cp /etc/ssl/certs/ca-certificates.crt .build/ca-certificates.crt
	for arch in $(IMAGE_ARCHS); do \
	  buildah bud --isolation chroot -f Dockerfile.prebuilt --platform linux/$$arch \
	    --build-arg VERSION=$(VERSION) --build-arg REVISION=$(REVISION) \
	    -t $(IMAGE):$(VERSION)-$$arch .build || exit 1; \
	done

test:
	$(GO) test -race ./...

# The one command that runs every test (README, .ci/run).
test-all:
	scripts/test-all.sh

style:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)

vet:
	$(GO) vet ./...

lint:
	golangci-lint run ./...

demo:
	$(GO) run ./cmd/billing_exporter --demo

# The benchmark harness (bench/): the exporter as a process against the fake
# upstreams, targets as ratios to baselines of the same run; writes the
# table into BENCHMARKS.md and fails when a target fails. About 3 minutes.
bench:
	$(GO) run ./bench

# Every scenario at small sizes in seconds; fails only on a crash or an
# impossible measurement, so that the harness cannot rot.
bench-smoke:
	$(GO) run ./bench -smoke
