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
#
# Then the same for generated trees of small files (SMALL_SIZES, default 200000; "" for
# none): packages of 1,000 modules of about 300 bytes, each with five `from pkgN.modM import
# funcM` imports of other modules, `import os`, a function and a class, and one boundary —
# the "200,000 small files" shape of the memory target. Built once into the same cache.
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

# Cold and warm rows for the tree in the current directory.
scale_rows() {
  local files megabytes kind result seconds mib
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
}

for size in $sizes; do
  corpus=$(FILES=$size CORPUS_ONLY=1 "$repo/scripts/bench.sh" | tail -n 1)
  (cd "$corpus" && scale_rows)
done

for size in ${SMALL_SIZES-200000}; do
  tree="${IMPORTGATE_BENCH_CACHE:-$HOME/.cache/importgate-bench}/small-$size"
  if [ ! -f "$tree/rules.toml" ]; then
    rm -rf "$tree"
    python3 - "$tree" "$size" <<'PY'
import os, random, sys
tree, size = sys.argv[1], int(sys.argv[2])
random.seed(size)
per_package = 1000
packages = max(1, size // per_package)
for p in range(packages):
    package = os.path.join(tree, "src", f"pkg{p}")
    os.makedirs(package)
    open(os.path.join(package, "__init__.py"), "w").close()
    for m in range(per_package - 1):
        imports = []
        for _ in range(5):
            q, n = random.randrange(packages), random.randrange(per_package - 1)
            imports.append(f"from pkg{q}.mod{n} import func{n}")
        body = f"import os\n\ndef func{m}(x):\n    return x + 1\n\nclass Thing{m}:\n    value = {m}\n"
        with open(os.path.join(package, f"mod{m}.py"), "w") as out:
            out.write("\n".join(imports) + "\n" + body)
with open(os.path.join(tree, "rules.toml.tmp"), "w") as out:
    out.write('[settings]\npython-roots = ["src"]\n\n[[boundary]]\nid = "pkg1-not-pkg0"\n'
              'from = ["pkg1.**"]\nforbid = ["pkg0.**"]\n')
os.replace(os.path.join(tree, "rules.toml.tmp"), os.path.join(tree, "rules.toml"))
PY
  fi
  echo "small files:"
  (cd "$tree" && scale_rows)
done
