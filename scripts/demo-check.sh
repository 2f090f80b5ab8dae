#!/usr/bin/env bash
# Runs the real binary in --demo mode on loopback, waits until it is ready,
# scrapes /metrics and checks that every upstream metric is there and that
# `promtool check metrics` has nothing to say.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT

go build -o "$tmp/billing_exporter" ./cmd/billing_exporter
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$tmp/billing_exporter" --demo --web.listen-address="127.0.0.1:$port" --log.level=warn 2>"$tmp/log" &
pid=$!

for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS -H 'X-Prometheus-Scrape-Timeout-Seconds: 10' "http://127.0.0.1:$port/metrics" >"$tmp/metrics"

missing=0
while read -r name; do
  [ -z "$name" ] && continue
  if ! grep -q "^$name{" "$tmp/metrics"; then
    echo "missing from the demo's /metrics: $name"; missing=1
  fi
done < scripts/demo-metrics.txt
if grep -q '^billing_up{.*} 0$' "$tmp/metrics"; then
  echo "a demo collector is down:"; grep '^billing_up{' "$tmp/metrics"; missing=1
fi
[ "$missing" = 0 ] || { echo "--- exporter log"; cat "$tmp/log"; exit 1; }

promtool check metrics <"$tmp/metrics"
echo "demo: $(grep -c '^billing_' "$tmp/metrics") billing_ series, promtool check metrics clean"
