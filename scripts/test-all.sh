#!/usr/bin/env bash
# Every test billing_exporter has: formatting, vet, lint, unit and
# integration tests (race detector on), and promtool on the demo's output.
# It installs what it needs when missing (Prometheus tools from Debian,
# golangci-lint from the Go module proxy), so it runs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

GOLANGCI_LINT_VERSION=v2.15.0
export PATH="$(go env GOPATH)/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

install_tools() {
  local pkgs=()
  command -v promtool >/dev/null || pkgs+=(prometheus prometheus-alertmanager)
  command -v chromium >/dev/null || pkgs+=(chromium)
  command -v buildah >/dev/null || pkgs+=(buildah)
  command -v tinyproxy >/dev/null || pkgs+=(tinyproxy)
  if [ ${#pkgs[@]} -gt 0 ]; then
    step "Installing ${pkgs[*]} (Debian packages)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  fi
  if ! golangci-lint version 2>/dev/null | grep -q "${GOLANGCI_LINT_VERSION#v}"; then
    step "Installing golangci-lint ${GOLANGCI_LINT_VERSION}"
    go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@${GOLANGCI_LINT_VERSION}"
  fi
}

install_tools

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "golangci-lint"
golangci-lint run ./...

step "go test -race"
BILLING_E2E=1 go test -race -count=1 ./...

step "Fuzz every upstream decoder and the config parser briefly"
scripts/fuzz.sh

step "Alert rules: promtool check rules, promtool test rules"
promtool check rules alerts/*.yml
promtool test rules alerts/tests/*.yml

step "Dashboards: Grafana's TypeScript types, PromQL of every panel"
scripts/check-dashboards.sh

step "Helm chart: helm lint, helm template, strict Kubernetes types"
scripts/check-chart.sh

step "Benchmark harness smoke run (make bench runs it in full)"
go run ./bench -smoke

step "Demo end to end: run the binary, lint /metrics with promtool"
scripts/demo-check.sh

echo
echo "All tests passed."
