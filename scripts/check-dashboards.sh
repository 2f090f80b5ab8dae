#!/usr/bin/env bash
# Offline checks of the Grafana dashboards in dashboards/*.json:
#  1. structure: each dashboard, as a TypeScript constant typed with
#     Grafana's own Dashboard type (@grafana/schema), must pass
#     `tsc --noEmit --strict` (unknown keys, missing keys, wrong types and
#     unknown enum values fail);
#  2. queries: every panel query, with Grafana's variables substituted as
#     internal/dashgen.Substitute does, must parse as PromQL
#     (`promtool check rules` on a generated rules file).
# Needs node/npm (the npm packages are pinned in dashboards/check/), go and
# promtool. That the dashboards match their generator is checked by
# `go test ./internal/dashgen`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
check_dir="$root/dashboards/check"

step() { printf '==> %s\n' "$*"; }

shopt -s nullglob
dashboards=("$root"/dashboards/*.json)
shopt -u nullglob
if [ "${#dashboards[@]}" -eq 0 ]; then
  echo "no dashboards in dashboards/" >&2
  exit 1
fi
for tool in node npm npx go promtool; do
  if ! command -v "$tool" >/dev/null; then
    echo "check-dashboards: $tool is not on PATH" >&2
    exit 1
  fi
done

# --- 1. Structure against @grafana/schema ---------------------------------

# node_modules is current when it was installed from this very package.json
# and package-lock.json.
stamp_file="$check_dir/node_modules/.check-dashboards-stamp"
stamp=$(cat "$check_dir/package.json" "$check_dir/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ ! -d "$check_dir/node_modules" ] || [ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp" ]; then
  step "npm ci in dashboards/check"
  (cd "$check_dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$stamp" >"$stamp_file"
fi

generated="$check_dir/generated"
rm -rf "$generated"
mkdir -p "$generated"
ts_files=()
for json in "${dashboards[@]}"; do
  name=$(basename "$json" .json)
  ts="$generated/$name.ts"
  # Line n of the dashboard JSON is line n+2 of the .ts file.
  {
    printf "import type { Dashboard } from '@grafana/schema';\n"
    printf "import type { JSONOf } from '../json-of';\n"
    printf 'export const d: JSONOf<Dashboard> = '
    cat "$json"
    printf ';\n'
  } >"$ts"
  ts_files+=("$ts")
done

step "tsc --noEmit --strict: ${#ts_files[@]} dashboards against @grafana/schema $(cd "$check_dir" && node -p "require('@grafana/schema/package.json').version")"
if ! (cd "$check_dir" && npx --no-install tsc --noEmit --strict "${ts_files[@]#"$check_dir/"}"); then
  echo "check-dashboards: a dashboard does not match Grafana's Dashboard type (line n of the JSON is line n+2 of dashboards/check/generated/<name>.ts)" >&2
  exit 1
fi

# --- 2. Every query parses as PromQL ----------------------------------------

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run ./internal/dashgen/cmd/promrules -dir dashboards -out "$tmp/rules.yml" -index "$tmp/index.tsv"
queries=$(wc -l <"$tmp/index.tsv")

step "promtool check rules: $queries queries"
if ! promtool check rules "$tmp/rules.yml" >"$tmp/promtool.out" 2>&1; then
  cat "$tmp/promtool.out" >&2
  echo "check-dashboards: queries that do not parse (rule n is dashboard_<n>:check):" >&2
  grep -o 'dashboard_[0-9]*:check' "$tmp/promtool.out" | sort -u | sed 's/dashboard_\([0-9]*\):check/\1/' |
    while read -r n; do awk -F'\t' -v n="$n" '$1 == n { printf "  %s: %s / %s / %s\n", $1, $2, $3, $4 }' "$tmp/index.tsv"; done >&2
  exit 1
fi

panels=$(node -e '
  let n = 0;
  for (const f of process.argv.slice(1)) {
    const walk = (ps) => { for (const p of ps || []) { if (p.type !== "row") n++; walk(p.panels); } };
    walk(JSON.parse(require("fs").readFileSync(f, "utf8")).panels);
  }
  console.log(n);' "${dashboards[@]}")
echo "check-dashboards: OK: ${#dashboards[@]} dashboards, $panels panels, $queries queries (tsc against @grafana/schema, promtool parses every query)"
