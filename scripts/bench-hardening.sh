#!/usr/bin/env bash
# Benchmark: the inputs whose cost used to grow faster than their size (issue 10). Each line
# is farm-bench's median of RUNS runs; with OLD set to another build's binary, each is also
# timed against it, pair by pair.
#
#   1. the full format with 20,000 findings in one file (each frame used to clone the file
#      and scan it from the start);
#   2. a file of 200,000 imports, full format against concise;
#   3. loading a registry of 20,000 [[boundary]] entries (each id used to count the lines
#      before it);
#   4. a check with 10,000 [[banned]] entries against one with none (every import used to
#      meet every entry, and every file every entry's globs);
#   5. peak memory of a check of one 15 MB file (just under the 16 MiB a file may have),
#      and of one of 50 MB (refused as IG901, not parsed).
#
#   scripts/bench-hardening.sh
#   RUNS=7 OLD=/path/to/old/importgate FINDINGS=2000 RULES=2000 BANS=1000 scripts/bench-hardening.sh
#
# FINDINGS, IMPORTS, RULES and BANS set the sizes (defaults above): an old build that is
# quadratic needs smaller ones (20,000 findings took it over 12 minutes).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
work=${IMPORTGATE_BENCH_CACHE:-$HOME/.cache/importgate-bench}/hardening
mkdir -p "$work"

echo "building the release binary ..." >&2
(cd "$repo" && cargo build --release --quiet --bin importgate)
new="$repo/target/release/importgate"

work="$work/${FINDINGS:=20000}-${IMPORTS:=200000}-${RULES:=20000}-${BANS:=10000}"
mkdir -p "$work"
python3 - "$work" "$FINDINGS" "$IMPORTS" "$RULES" "$BANS" <<'PY'
import os, sys
work = sys.argv[1]
findings, imports, rule_count, ban_count = map(int, sys.argv[2:6])

def tree(name, files):
    root = os.path.join(work, name)
    for path, text in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if not os.path.exists(full) or open(full).read() != text:
            with open(full, "w") as out:
                out.write(text)

service = '[[service]]\nname = "app"\nmodules = ["app"]\n\n'
boundary = '[[boundary]]\nid = "no-billing"\nfrom = ["app"]\nforbid = ["billing"]\n'
tree("findings", {
    "rules.toml": service + boundary,
    "app/__init__.py": "", "billing/__init__.py": "",
    "app/many.py": "import billing\n" * findings,
})
tree("imports", {
    "rules.toml": service + boundary,
    "app/__init__.py": "", "billing/__init__.py": "",
    "app/huge.py": "".join(f"import billing.m{n}\n" for n in range(imports)),
})
rules = service + "".join(
    f'[[boundary]]\nid = "rule-{n}"\nfrom = ["app"]\nforbid = ["billing.m{n}"]\n\n'
    for n in range(rule_count))
tree("registry", {"rules.toml": rules, "app/__init__.py": "", "app/a.py": "import os\n"})
sources = {f"app/m{n}.py": "import os\nimport json\nfrom collections import OrderedDict\n"
           for n in range(2_000)}
sources["app/__init__.py"] = ""
bans = "".join(f'[[banned]]\nid = "ban-{n}"\napi = ["lib{n}.api"]\nallow-in = ["tests/**"]\n\n'
               for n in range(ban_count))
tree("bans", dict(sources, **{"rules.toml": bans}))
tree("no-bans", dict(sources, **{"rules.toml": "[project]\n"}))
def big(lines):
    return "".join(f"import m{n % 100}\nx{n} = [{n}, {n + 1}, 'value {n}']\n" for n in range(lines))
tree("big-file", {"rules.toml": "[project]\n", "app/__init__.py": "", "app/big.py": big(285_000)})
tree("huge-file", {"rules.toml": "[project]\n", "app/__init__.py": "", "app/huge.py": big(1_100_000)})
PY

bench() {
    local label=$1
    shift
    echo "== $label"
    if [ -n "${OLD:-}" ]; then
        farm-bench -n "$runs" --timeout 1200 --vs "$OLD $*" -- "$new" "$@"
    else
        farm-bench -n "$runs" --timeout 1200 -- "$new" "$@"
    fi
}

cd "$work/findings" && bench "full format, $FINDINGS findings in one file" check --output-format full
cd "$work/imports" && bench "full format, $IMPORTS imports in one file" check --output-format full
cd "$work/imports" && bench "concise format, the same file" check --output-format concise
cd "$work/registry" && bench "a registry of $RULES boundaries" check --output-format concise
cd "$work/bans" && bench "$BANS [[banned]] entries, 2,000 files" check --output-format concise
cd "$work/no-bans" && bench "no [[banned]] entry, the same files" check --output-format concise
cd "$work/big-file" && bench "one 15 MB file (peak memory)" check --output-format concise
cd "$work/huge-file" && bench "one 50 MB file, refused (peak memory)" check --output-format concise
