# Targets named as in the Prometheus exporters' Makefile.common, backed by
# plain go commands.
GO        ?= go
BIN       ?= billing_exporter
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BRANCH    ?= $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
LDFLAGS   := -X github.com/prometheus/common/version.Version=$(VERSION) \
             -X github.com/prometheus/common/version.Revision=$(REVISION) \
             -X github.com/prometheus/common/version.Branch=$(BRANCH) \
             -X github.com/prometheus/common/version.BuildUser=$(shell whoami)@$(shell hostname) \
             -X github.com/prometheus/common/version.BuildDate=$(shell date -u +%Y%m%d-%H:%M:%S)

.PHONY: all build test test-all style vet lint demo bench bench-smoke

all: style vet lint test build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/billing_exporter

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
