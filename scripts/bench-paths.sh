#!/usr/bin/env bash
# Benchmark: `importgate check PATHS` against a full run of the same tree, as pre-commit
# runs it (a few changed files, a 2,000-file batch, and paths that cover most of the tree).
#
#   scripts/bench-paths.sh            # on the benchmark corpus of scripts/bench.sh
#   RUNS=9 scripts/bench-paths.sh
#
# Target (issue 13): any number of PATHS costs at most 1.1x a full run. Each pair is timed
# with farm-bench --vs (A and B in turn, the ratio pair by pair); quote its medians.
# The paths are passed on one command line (at most ~1.9 MB: ARG_MAX is 2 MiB), so the
# "most of the tree" list is the first 14,000 files in path order, 53 % of the corpus.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
corpus=$(CORPUS_ONLY=1 "$repo/scripts/bench.sh" | tail -n 1)
(cd "$repo" && cargo build --release --quiet)
binary="$repo/target/release/importgate"
lists=$(mktemp -d)
trap 'rm -rf "$lists"' EXIT
(cd "$corpus" && find . -name '*.py' | sed 's|^\./||' | sort) > "$lists/all"
total=$(wc -l < "$lists/all")
# A fixed choice of files spread over the tree (every n-th), not a random one.
awk -v n="$(( total / 2000 ))" 'NR % n == 0' "$lists/all" | head -n 2000 > "$lists/2000"
head -n 14000 "$lists/all" > "$lists/14000"
awk -v n="$(( total / 5 ))" 'NR % n == 0' "$lists/all" | head -n 5 > "$lists/5"
echo "corpus: $corpus ($total Python files)"
cd "$corpus"
# The import cache serves runs on PATHS; warm it once, as pre-commit's earlier runs would.
"$binary" check -q $(cat "$lists/2000") > /dev/null || true
for list in 5 2000 14000; do
  echo "== $list paths (A) against a full run (B)"
  # Both through sh: sh, cat and the expansion of the list are the harness's cost.
  farm-bench -n "$runs" --timeout 600 \
    --vs "sh -c 'exec \"$binary\" check -q --output-format concise \$(cat /dev/null)'" \
    -- sh -c "exec \"$binary\" check -q --output-format concise \$(cat \"$lists/$list\")"
done
