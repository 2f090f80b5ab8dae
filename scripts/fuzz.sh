#!/usr/bin/env bash
# Runs every fuzz target for FUZZTIME each (default 3s, as in the test
# command). For a longer hunt: FUZZTIME=10m scripts/fuzz.sh
# New crashers are saved under <package>/testdata/fuzz/ and replayed by
# plain `go test` from then on: commit them with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-3s}
# A fresh corpus cache per run: the inputs a previous run generated would
# make the baseline pass before fuzzing grow without bound and overrun a
# short FUZZTIME. The seeds and testdata/fuzz crashers are always replayed.
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
targets=(
  "FuzzDecodeCredits ./internal/ncloud"
  "FuzzDecodeCoins ./internal/ncloud"
  "FuzzDecodeDemand ./internal/ncloud"
  "FuzzDecodeInvoices ./internal/ncloud"
  "FuzzDecode ./internal/vgp"
  "FuzzDecodeResponse ./internal/portone"
  "FuzzDecodePage ./internal/portonev2"
  "FuzzParse ./internal/config"
)
for t in "${targets[@]}"; do
  set -- $t
  echo "fuzz: $1 ($2) for $FUZZTIME"
  # -fuzzminimizetime=20x: with the default (60 s a new input) the workers
  # spent a short run minimizing, 8 executions in 5 s where this makes
  # about 10,000 (FuzzDecodeCredits).
  go test -run='^$' -fuzz="^$1\$" -fuzztime="$FUZZTIME" -fuzzminimizetime=20x "$2" -args -test.fuzzcachedir="$cache/$1" 2>&1 |
    grep -Ev '^fuzz: elapsed' || { echo "fuzz: $1 failed"; exit 1; }
done
