#!/usr/bin/env bash
# Benchmark: importgate against its peers, on the same public code, timed in turn.
#
#   scripts/bench-peers.sh            # RUNS=5 counted runs of each, after one warm-up
#
# - ruff (`ruff check --select TID251,TID252 --no-cache`, the banned-API and relative-import
#   rules, with the same bans as importgate's registry) and importgate (`check --no-cache`:
#   cold) on the whole corpus of scripts/bench.sh (26,515 files);
# - import-linter (`lint-imports --no-cache`) and tach (`tach check`), each with the
#   equivalent contract written for the tree, and importgate with the same two rules, on a
#   tree of the Django and SymPy packages of the corpus (import-linter and tach need one
#   importable package per name: the corpus has two copies of each);
# - importgate's warm runs on the whole corpus, each against a full run with nothing
#   changed (B): nothing changed against ruff's warm run (its cache on) and against
#   `--no-cache`; one file edited in place (appended to) and one saved the way editors do
#   (a new file renamed over it), each before the run; one file given as PATH, unchanged
#   and edited before the run (pre-commit's case); 14,000 PATHS. The edited file is restored
#   at the end.
# Every pair is timed with farm-bench --vs (A and B in turn, the ratio pair by pair); quote
# the medians. ruff, import-linter and tach come from PyPI into a scratch virtual
# environment, pinned.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
cache=${IMPORTGATE_BENCH_CACHE:-$HOME/.cache/importgate-bench}
corpus=$(CORPUS_ONLY=1 "$repo/scripts/bench.sh" | tail -n 1)
venv=${PEERS_VENV:-${TMPDIR:-/tmp}/importgate-bench-peers}
if [ ! -x "$venv/bin/ruff" ] || [ ! -x "$venv/bin/lint-imports" ] || [ ! -x "$venv/bin/tach" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    ruff==0.17.6 import-linter==2.17 tach==0.35.3
fi
(cd "$repo" && cargo build --release --quiet)
importgate="$repo/target/release/importgate"
bench() { farm-bench -n "$runs" --timeout 900 "$@" 2>&1 | grep -E "^(A|B) = |wall s|peak MiB|A/B wall"; }

echo "== versions"
"$importgate" --version
"$venv/bin/ruff" --version
"$venv/bin/lint-imports" --version 2>/dev/null || "$venv/bin/pip" show import-linter | head -n 2
"$venv/bin/tach" --version

# The tree of two packages for import-linter and tach, with the three tools' contracts.
peers="$cache/peers-django-sympy"
if [ ! -f "$peers/tach.toml" ]; then
  rm -rf "$peers"
  mkdir -p "$peers"
  cp -R "$corpus"/copy0/django-*/django "$peers/django"
  cp -R "$corpus"/copy0/sympy-*/sympy "$peers/sympy"
  cat > "$peers/.importlinter" <<'INI'
[importlinter]
root_packages =
    django
    sympy

[importlinter:contract:django-is-independent]
name = django does not import sympy
type = forbidden
source_modules = django
forbidden_modules = sympy

[importlinter:contract:sympy-is-independent]
name = sympy does not import django
type = forbidden
source_modules = sympy
forbidden_modules = django
INI
  cat > "$peers/tach.toml" <<'TOML'
source_roots = ["."]
exclude = []

[[modules]]
path = "django"
depends_on = []

[[modules]]
path = "sympy"
depends_on = []
TOML
  cat > "$peers/rules.toml" <<'TOML'
[[service]]
name = "django"

[[service]]
name = "sympy"

[[boundary]]
id = "django-is-independent"
from = ["django"]
forbid = ["sympy"]

[[boundary]]
id = "sympy-is-independent"
from = ["sympy"]
forbid = ["django"]
TOML
fi
echo "peer tree: $peers ($(find "$peers" -name '*.py' | wc -l) Python files)"

# ruff's configuration with the corpus registry's bans.
ruff_config=$(mktemp --suffix=.toml)
lists=$(mktemp -d)
trap 'rm -rf "$ruff_config" "$lists"' EXIT
cat > "$ruff_config" <<'TOML'
[lint.flake8-tidy-imports]
ban-relative-imports = "all"

[lint.flake8-tidy-imports.banned-api]
"os.environ".msg = "no-direct-environ"
"os.getenv".msg = "no-direct-environ"
"pickle".msg = "no-pickle"
"marshal".msg = "no-pickle"
"unittest".msg = "tests-no-unittest"
TOML

cd "$corpus"
echo "== importgate cold full run (A) against ruff's TID rules (B), $(find . -name '*.py' | wc -l) files"
bench --vs "$venv/bin/ruff check --quiet --no-cache --config $ruff_config --select TID251,TID252 --exit-zero ." \
  -- "$importgate" check -q --no-cache --exit-zero --output-format concise

(find . -name '*.py' | sed 's|^\./||' | sort) > "$lists/all"
head -n 14000 "$lists/all" > "$lists/14000"
one=$(sed -n '5000p' "$lists/all")
cp -p "$one" "$lists/one.py"
trap 'cp -p "$lists/one.py" "$corpus/$one"; rm -rf "$ruff_config" "$lists"' EXIT
warm="$importgate check -q --exit-zero --output-format concise"
ruff_tid="$venv/bin/ruff check --quiet --config $ruff_config --select TID251,TID252 --exit-zero ."
# Caches written, and older than two seconds (a newer stamp is not trusted).
$warm > /dev/null
$warm "$one" > /dev/null
$ruff_tid > /dev/null
sleep 3
$warm > /dev/null
echo "== importgate warm, nothing changed (A) against ruff's TID rules warm (B)"
bench --vs "$ruff_tid" -- $warm
echo "== importgate warm, nothing changed (A) against importgate --no-cache (B)"
bench --vs "$importgate check -q --no-cache --exit-zero --output-format concise" -- $warm
# Runs that need a shell on one side have it on both: sh and cat are the harness's cost, not
# importgate's (cat and the expansion of 14,000 paths alone take about 20 ms).
warm_in_shell="sh -c 'exec $warm \$(cat /dev/null)'"
# B right after A: the file A edited is too recent for B to replay a report (B re-checks).
echo "== importgate: one file edited in place (A) against the next run without an edit (B)"
bench --vs "$warm_in_shell" -- sh -c "printf '\\n# %s\\n' \$\$ >> '$one'; exec $warm"
echo "== importgate: one file saved by rename (A) against the next run without an edit (B)"
bench --vs "$warm_in_shell" \
  -- sh -c "cp '$one' '$one.new'; printf '\\n# %s\\n' \$\$ >> '$one.new'; mv '$one.new' '$one'; exec $warm"
cp -p "$lists/one.py" "$one"
$warm > /dev/null
sleep 3
$warm > /dev/null
echo "== importgate: one file given, warm caches (A) against nothing changed (B)"
bench --vs "$warm" -- $warm "$one"
echo "== importgate: one file edited in place and given, as pre-commit runs (A) against the next full run without an edit (B)"
bench --vs "$warm_in_shell" -- sh -c "printf '\\n# %s\\n' \$\$ >> '$one'; exec $warm '$one'"
cp -p "$lists/one.py" "$one"
# The restored file's change time is new: a full run records again once it is trusted.
sleep 3
$warm > /dev/null
echo "== importgate: 14,000 PATHS (A) against nothing changed (B), both through sh"
bench --vs "$warm_in_shell" \
  -- sh -c "exec $warm \$(cat \"$lists/14000\")"

cd "$peers"
echo "== importgate (A) against import-linter (B) on the peer tree"
bench --vs "$venv/bin/lint-imports --no-cache" \
  -- "$importgate" check -q --no-cache --exit-zero --output-format concise
echo "== importgate (A) against tach (B) on the peer tree"
bench --vs "$venv/bin/tach check" \
  -- "$importgate" check -q --no-cache --exit-zero --output-format concise
