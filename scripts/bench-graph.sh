#!/usr/bin/env bash
# Benchmark: the import graph. Three parts, each a median of RUNS interleaved runs:
#
#   1. synthetic: building the module graph of MODULES modules (default 100,000, six imports
#      each) and searching it (benches/graph.rs);
#   2. corpus: the same steps on the real corpus of scripts/bench.sh, after a full check,
#      with their share of that check;
#   3. pre-commit: `importgate check FILE` on the corpus (its registry declares services, so
#      the service-cycle check needs the whole graph): without the import cache, with a
#      cold cache, a warm one, and after every file was touched (times changed, contents
#      not: every file is hashed, none parsed).
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
echo
echo "== pre-commit: importgate check FILE"
python3 - "$repo/target/release/importgate" "$corpus" "$runs" <<'PY'
import os, shutil, statistics, subprocess, sys, time
importgate, corpus, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
config = os.path.join(corpus, "rules.toml")
cache = os.path.join(corpus, ".importgate_cache")
py = sorted(os.path.relpath(os.path.join(d, f), corpus)
            for d, _, fs in os.walk(corpus) for f in fs if f.endswith(".py"))
# Files spread over the tree, the same ones on every run of the script.
files = [py[i * len(py) // 5] for i in range(5)]

def run(path, *extra):
    command = [importgate, "check", "--config", config, "--output-format", "json",
               "--exit-zero", "-o", os.devnull, *extra, path]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=corpus, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started

def peak_rss_mb(path, *extra):
    result = subprocess.run(["/usr/bin/time", "-f", "%M", importgate, "check", "--config", config,
                             "--output-format", "json", "--exit-zero", "-o", os.devnull, *extra, path],
                            cwd=corpus, check=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    return int(result.stderr.strip().splitlines()[-1]) / 1024

def touch_all():
    now = time.time()
    for relative in py:
        os.utime(os.path.join(corpus, relative), (now - 60, now - 60))

run(files[0], "--no-cache")  # warm the page cache
shutil.rmtree(cache, ignore_errors=True)
cold = run(files[0])
no_cache, warm = [], []
for _ in range(runs):
    for path in files:
        no_cache.append(run(path, "--no-cache"))
        warm.append(run(path))
touched = []
for _ in range(max(1, runs // 3)):
    touch_all()
    touched.append(run(files[0]))
size = os.path.getsize(os.path.join(cache, "imports-v2.bin")) / 1e6
print(f"corpus:            {len(py)} Python files ({corpus}); {len(files)} files checked one at a time")
print(f"without the cache  median {statistics.median(no_cache):.3f} s over {len(no_cache)} runs")
print(f"cold cache         {cold:.3f} s (one run: parses the tree, writes {size:.1f} MB)")
print(f"warm cache         median {statistics.median(warm):.3f} s over {len(warm)} runs"
      f" (min {min(warm):.3f}, max {max(warm):.3f})")
print(f"every file touched median {statistics.median(touched):.3f} s over {len(touched)} runs (hashed, not parsed)")
print(f"peak RSS:          warm {peak_rss_mb(files[0]):.0f} MB, without the cache {peak_rss_mb(files[0], '--no-cache'):.0f} MB")
PY
