#!/usr/bin/env bash
# Checks the Helm chart charts/billing-exporter: helm lint --strict and helm
# template with the default values and each ci/*.yaml, then internal/chartcheck
# on the rendered manifests (strict decoding into the Kubernetes API types,
# security settings, probes, secrets, the PrometheusRule against alerts/ and
# promtool, the dashboards against dashboards/). Installs Helm when missing.
# Runs from any directory. RENDERED_DIR=dir keeps the rendered manifests there.
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_VERSION=v4.3.1
chart=charts/billing-exporter
release=billing-exporter
namespace=monitoring

step() { printf '\n==> %s\n' "$*"; }

# is_wanted_helm BIN: BIN is Helm $HELM_VERSION. A release binary reports its
# version; one built by go install reports only v4.3, so ask its build info.
is_wanted_helm() {
  [ -x "$1" ] || return 1
  [ "$("$1" version --template '{{.Version}}' 2>/dev/null || true)" = "$HELM_VERSION" ] && return 0
  go version -m "$1" 2>/dev/null | grep -Eq "^[[:space:]]+mod[[:space:]]+helm\.sh/helm/v4[[:space:]]+${HELM_VERSION}[[:space:]]"
}

helm=$(command -v helm || true)
if [ -z "$helm" ] || ! is_wanted_helm "$helm"; then
  helm="$(go env GOPATH)/bin/helm"
  if ! is_wanted_helm "$helm"; then
    step "Installing Helm ${HELM_VERSION} (go install, about 2 minutes)"
    go install "helm.sh/helm/v4/cmd/helm@${HELM_VERSION}"
  fi
fi
echo "helm: $helm"

out=${RENDERED_DIR:-}
if [ -z "$out" ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
rm -f "$out"/*.yaml

# render NAME [VALUES]: lint and render the chart into $out/NAME.yaml.
render() {
  local name=$1 values=()
  [ $# -gt 1 ] && values=(--values "$2")
  step "helm lint --strict, helm template: ${2:-default values}"
  "$helm" lint --strict --namespace "$namespace" "${values[@]}" "$chart"
  "$helm" template "$release" "$chart" --namespace "$namespace" "${values[@]}" >"$out/$name.yaml"
}

render default
for f in "$chart"/ci/*.yaml; do
  render "$(basename "$f" .yaml)" "$f"
done

# Each file of invalid-values/ must be refused, by values.schema.json (helm
# lint) or by the templates (helm template), with the message its first line
# names ("# want: ...").
step "Invalid values are refused"
for f in internal/chartcheck/testdata/invalid-values/*.yaml; do
  want=$(sed -n '1s/^# want: //p' "$f")
  [ -n "$want" ] || { echo "$f: no '# want:' line"; exit 1; }
  lint=$("$helm" lint --strict --namespace "$namespace" --values "$f" "$chart" 2>&1) && lint=
  tmpl=$("$helm" template "$release" "$chart" --namespace "$namespace" --values "$f" 2>&1 >/dev/null) && tmpl=
  if ! grep -qF -- "$want" <<<"$lint$tmpl"; then
    echo "$f was not refused with \"$want\":"; echo "$lint"; echo "$tmpl"; exit 1
  fi
  echo "refused: $(basename "$f")"
done

step "go test ./internal/chartcheck on the rendered manifests"
go test -count=1 ./internal/chartcheck -args -rendered "$out"

echo
echo "Chart checks passed."
