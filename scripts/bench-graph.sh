#!/usr/bin/env bash
# Benchmark: the import graph. Two parts, each a median of RUNS interleaved runs:
#
#   1. synthetic: building the module graph of MODULES modules (default 100,000, six imports
#      each) and searching it (benches/graph.rs);
#   2. corpus: the same steps on the real corpus of scripts/bench.sh, after a full check,
#      with their share of that check.
# (Runs on one FILE, with and without the caches, are timed by scripts/bench-peers.sh.)
#
#   scripts/bench-graph.sh
#   RUNS=9 MODULES=200000 FILES=25000 scripts/bench-graph.sh
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-7}
corpus=$(CORPUS_ONLY=1 "$repo/scripts/bench.sh")

echo "building release binaries ..." >&2
(cd "$repo" && cargo build --release --quiet --bin importgate && cargo build --release --quiet --benches)
graph_bench=$(ls -t "$repo"/target/release/deps/graph-* | grep -v '\.d$' | head -n 1)

echo "== synthetic graph"
RUNS=$runs MODULES=${MODULES:-100000} "$graph_bench"
echo
echo "== real corpus"
RUNS=$runs "$graph_bench" --corpus "$corpus"
