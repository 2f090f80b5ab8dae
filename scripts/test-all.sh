#!/usr/bin/env bash
# Every test billing_exporter has: formatting, vet, lint, unit and
# integration tests (race detector on), and promtool on the demo's output.
# It installs what it needs when missing (Prometheus 2.42 tools from Debian;
# golangci-lint, amtool 0.35 and Prometheus 3 from the Go module proxy), so
# it runs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

GOLANGCI_LINT_VERSION=v2.15.0
AMTOOL_VERSION=v0.35.0
PROMETHEUS3_VERSION=v0.316.0 # Prometheus 3.x
PROMETHEUS3_DIR="$(go env GOPATH)/prometheus3"
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
  # amtool 0.35 checks receivers Debian's 0.25 does not know (msteamsv2,
  # webhook payloads). Prometheus 3 and its promtool live in their own
  # directory, so that Debian's 2.42 stays the one on PATH; e2e and the rule
  # tests run on both. Built once (Prometheus about 3 minutes cold), then reused.
  if ! is_go_binary "$(go env GOPATH)/bin/amtool" github.com/prometheus/alertmanager "$AMTOOL_VERSION"; then
    step "Installing amtool ${AMTOOL_VERSION}"
    GOBIN="$(go env GOPATH)/bin" go install "github.com/prometheus/alertmanager/cmd/amtool@${AMTOOL_VERSION}"
  fi
  for cmd in prometheus promtool; do
    if ! is_go_binary "$PROMETHEUS3_DIR/$cmd" github.com/prometheus/prometheus "$PROMETHEUS3_VERSION"; then
      step "Installing $cmd 3 (${PROMETHEUS3_VERSION}) into $PROMETHEUS3_DIR"
      # remove_all_sd keeps only file and HTTP service discovery, all the
      # tests use: it drops the cloud SDKs and client-go, which cuts the
      # cold build from about 8 to about 3 minutes.
      GOBIN="$PROMETHEUS3_DIR" GOFLAGS=-mod=mod go install -tags remove_all_sd "github.com/prometheus/prometheus/cmd/$cmd@${PROMETHEUS3_VERSION}"
    fi
  done
}

# is_go_binary BIN MODULE VERSION: BIN was built by go install from MODULE@VERSION.
is_go_binary() {
  [ -x "$1" ] && go version -m "$1" 2>/dev/null | grep -Eq "^[[:space:]]+mod[[:space:]]+$2[[:space:]]+$3([[:space:]]|$)"
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
"$PROMETHEUS3_DIR/promtool" check rules alerts/*.yml
"$PROMETHEUS3_DIR/promtool" test rules alerts/tests/*.yml

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
