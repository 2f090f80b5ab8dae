#!/usr/bin/env bash
# Counts the instructions one iteration of a Go benchmark executes, which
# repeat to about 0.01% where this machine's timings drift by a third:
#   scripts/bench-instructions.sh BenchmarkDecodeDemand ./internal/ncloud
# The benchmark runs under cachegrind (valgrind) with GOGC=off and
# GOMAXPROCS=1 for 1 and for 11 iterations; a tenth of the difference is
# printed, so that the benchmark's setup cancels out. Instructions are not
# time: use it to compare two versions of one code path, then check the
# change with the harness (make bench).
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${1:?usage: $0 BenchmarkName ./package}
pkg=${2:?usage: $0 BenchmarkName ./package}
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go test -c -o "$dir/bench.test" "$pkg"
count() {
  GOGC=off GOMAXPROCS=1 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
    "$dir/bench.test" -test.run '^$' -test.bench "^$bench\$" -test.benchtime "${1}x" 2>&1 |
    awk '/I *refs/ {gsub(",", "", $4); print $4}'
}
one=$(count 1)
eleven=$(count 11)
[ -n "$one" ] && [ -n "$eleven" ] || { echo "cachegrind gave no count for $bench in $pkg" >&2; exit 1; }
echo "$bench: $(( (eleven - one) / 10 )) instructions an iteration"
