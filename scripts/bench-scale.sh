#!/usr/bin/env bash
# Benchmark: how importgate's time and peak memory grow with the tree — the scale curve.
#
#   scripts/bench-scale.sh                       # 25k, 50k, 100k and 200k files, RUNS=3
#   SIZES="25000 50000" RUNS=5 scripts/bench-scale.sh
#
# Each size is a corpus of scripts/bench.sh (real public code — Django, SymPy, Ansible —
# copied until the tree holds that many Python files, with its generated registry; built
# once into $IMPORTGATE_BENCH_CACHE, never into the repository). For each size: a cold full
# run (`--no-cache`) and a warm one (nothing changed since the last run), medians of RUNS
# runs after one untimed run, wall time and peak RSS (GNU time), and both per 1,000 files.
# The largest corpus takes about 6 GB of disk.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
sizes=${SIZES:-"25000 50000 100000 200000"}
(cd "$repo" && cargo build --release --quiet --bin importgate)
importgate="$repo/target/release/importgate"

# The median of the numbers on stdin.
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Runs `importgate check ARGS` RUNS times in the current directory; prints "seconds MiB".
measure() {
  local times=() rss=() out
  for _ in $(seq "$runs"); do
    out=$( { /usr/bin/time -f "%e %M" "$importgate" check -q --exit-zero --output-format concise "$@" > /dev/null; } 2>&1 | tail -n 1)
    times+=("${out% *}")
    rss+=("${out#* }")
  done
  echo "$(printf '%s\n' "${times[@]}" | median) $(printf '%s\n' "${rss[@]}" | median | awk '{ printf "%.0f", $1 / 1024 }')"
}

printf '%-9s %-8s %-7s %-9s %-9s %-9s %-9s\n' files "MB src" run "wall s" "ms/1k" "peak MiB" "KiB/file"
for size in $sizes; do
  corpus=$(FILES=$size CORPUS_ONLY=1 "$repo/scripts/bench.sh" | tail -n 1)
  cd "$corpus"
  files=$(find . -name '*.py' -not -path './.importgate_cache/*' | wc -l)
  megabytes=$(find . -name '*.py' -not -path './.importgate_cache/*' -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s / 1e6 }')
  # Untimed runs: the page cache holds the tree; the caches are written, then trusted
  # (a stamp within two seconds of a run is not).
  "$importgate" check -q --exit-zero --no-cache > /dev/null
  "$importgate" check -q --exit-zero > /dev/null
  sleep 3
  "$importgate" check -q --exit-zero > /dev/null
  for kind in cold warm; do
    if [ "$kind" = cold ]; then result=$(measure --no-cache); else result=$(measure); fi
    seconds=${result% *}
    mib=${result#* }
    awk -v files="$files" -v mb="$megabytes" -v kind="$kind" -v s="$seconds" -v m="$mib" 'BEGIN {
      printf "%-9d %-8d %-7s %-9.3f %-9.2f %-9d %-9.2f\n", files, mb, kind, s, s * 1e6 / files, m, m * 1024 / files
    }'
  done
  cd - > /dev/null
done
