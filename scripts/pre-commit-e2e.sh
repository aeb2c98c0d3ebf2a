#!/usr/bin/env bash
# The Rust-free pre-commit path, end to end, as a Python team meets it:
#
#   scripts/pre-commit-e2e.sh [WHEEL]     # default: builds the wheel with build-wheel.sh
#
# 1. the importgate wheel (and setuptools, which pip needs to install the mirror) go into a
#    local wheel directory, the only package index pip may use (PIP_NO_INDEX=1,
#    PIP_FIND_LINKS);
# 2. pre-commit-mirror/ becomes a git repository tagged v<version>, as the published mirror;
# 3. a Python project uses that mirror by path and tag in its .pre-commit-config.yaml;
# 4. with cargo and rustc removed from PATH: `pre-commit run --all-files` passes on the
#    clean tree, a commit adding a forbidden import is blocked with the rule's hint, a clean
#    commit passes, and a run over many files (several pre-commit batches) prints one
#    summary line per batch; the repository's own `importgate-system` hook passes with the
#    wheel's binary on PATH.
# pre-commit itself comes from PyPI into a scratch virtual environment.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=${TMPDIR:-/tmp}/importgate-pre-commit-e2e
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n 1)

fail() {
  echo "pre-commit e2e: $*" >&2
  exit 1
}

wheel=${1:-}
if [ -z "$wheel" ]; then
  wheel=$("$repo/scripts/build-wheel.sh")
fi
[ -f "$wheel" ] || fail "no wheel at $wheel"
case "$(basename "$wheel")" in
  "importgate-$version-"*) ;;
  *) fail "$wheel is not importgate $version (Cargo.toml's version)" ;;
esac
grep -q "\"importgate==$version\"" "$repo/pre-commit-mirror/pyproject.toml" \
  || fail "pre-commit-mirror/pyproject.toml does not pin importgate==$version (run bump.sh)"

rm -rf "$scratch"
mkdir -p "$scratch/wheels"
cp "$wheel" "$scratch/wheels/"

echo "== pre-commit and setuptools from PyPI (before going offline)"
python3 -m venv "$scratch/tools"
"$scratch/tools/bin/pip" install --quiet --disable-pip-version-check "pre-commit>=3,<5"
"$scratch/tools/bin/pip" download --quiet --disable-pip-version-check --no-deps \
  --only-binary :all: --dest "$scratch/wheels" "setuptools>=61"
"$scratch/tools/bin/pre-commit" --version

git_as_e2e=(git -c init.defaultBranch=main -c user.name=e2e -c user.email=e2e@example.com)

echo "== the mirror: pre-commit-mirror/ as a git repository tagged v$version"
mirror="$scratch/importgate-pre-commit"
cp -R "$repo/pre-commit-mirror" "$mirror"
(cd "$mirror" && "${git_as_e2e[@]}" init --quiet && "${git_as_e2e[@]}" add -A \
  && "${git_as_e2e[@]}" commit --quiet -m "importgate $version" && "${git_as_e2e[@]}" tag "v$version")

echo "== bump.sh moves the pin, commits and tags (in a scratch clone of the mirror)"
bumped="$scratch/bumped-mirror"
git clone --quiet "$mirror" "$bumped"
(cd "$bumped" && GIT_AUTHOR_NAME=e2e GIT_AUTHOR_EMAIL=e2e@example.com \
  GIT_COMMITTER_NAME=e2e GIT_COMMITTER_EMAIL=e2e@example.com ./bump.sh 9.8.7 2>/dev/null)
grep -q '"importgate==9.8.7"' "$bumped/pyproject.toml" || fail "bump.sh did not move the pin"
grep -q "rev: v9.8.7" "$bumped/README.md" || fail "bump.sh did not move the README's rev"
git -C "$bumped" rev-parse -q --verify refs/tags/v9.8.7 >/dev/null || fail "bump.sh did not tag"
[ -z "$(git -C "$bumped" status --porcelain)" ] || fail "bump.sh left changes uncommitted"

echo "== a Python project that uses the mirror"
project="$scratch/project"
mkdir -p "$project/billing" "$project/payments" "$project/payments/internal"
cat > "$project/rules.toml" <<'TOML'
[[service]]
name = "billing"

[[service]]
name = "payments"

[[boundary]]
id = "billing-not-payments-internals"
from = ["billing"]
forbid = ["payments.internal"]
hint = "Go through payments.api"
TOML
cat > "$project/.pre-commit-config.yaml" <<YAML
repos:
  - repo: $mirror
    rev: v$version
    hooks:
      - id: importgate
YAML
touch "$project/billing/__init__.py" "$project/payments/__init__.py" \
  "$project/payments/internal/__init__.py"
echo "def charge(amount): return amount" > "$project/payments/internal/ledger.py"
echo "from payments.internal.ledger import charge" > "$project/payments/api.py"
echo "from payments.api import charge" > "$project/billing/invoice.py"
(cd "$project" && "${git_as_e2e[@]}" init --quiet && "${git_as_e2e[@]}" add -A \
  && "${git_as_e2e[@]}" commit --quiet -m "a clean project")

echo "== no Rust: cargo and rustc off PATH, only the local wheels for pip"
clean_path=""
IFS=: read -r -a path_entries <<<"$PATH"
for entry in "${path_entries[@]}"; do
  if [ -n "$entry" ] && [ ! -e "$entry/cargo" ] && [ ! -e "$entry/rustc" ]; then
    clean_path="${clean_path:+$clean_path:}$entry"
  fi
done
run_offline() {
  env PATH="$scratch/tools/bin:$clean_path" \
    CARGO_HOME="$scratch/no-cargo" RUSTUP_HOME="$scratch/no-rustup" \
    PIP_NO_INDEX=1 PIP_FIND_LINKS="$scratch/wheels" PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PRE_COMMIT_HOME="$scratch/pre-commit-home" "$@"
}
run_offline sh -c '! command -v cargo && ! command -v rustc' >/dev/null \
  || fail "cargo or rustc is still on PATH"
run_offline sh -c 'command -v git && command -v python3' >/dev/null \
  || fail "git or python3 went with cargo: PATH=$clean_path"

cd "$project"
echo "== pre-commit run --all-files on the clean tree passes"
run_offline pre-commit run --all-files || fail "the clean tree did not pass"
find "$scratch/pre-commit-home" -type d -name "importgate-$version.dist-info" | grep -q . \
  || fail "the hook's environment does not hold importgate $version"

echo "== a commit adding a forbidden import is blocked, with the hint"
run_offline pre-commit install --hook-type pre-commit >/dev/null
echo "from payments.internal.ledger import charge" > billing/refund.py
git add billing/refund.py
set +e
blocked=$(run_offline "${git_as_e2e[@]}" commit -m "refunds" 2>&1)
blocked_exit=$?
set -e
echo "$blocked"
[ "$blocked_exit" -ne 0 ] || fail "the commit with a forbidden import was not blocked"
grep -q "IG001" <<<"$blocked" || fail "no IG001 in the hook's output"
grep -q "Go through payments.api" <<<"$blocked" || fail "the rule's hint is missing"
git log --format=%s | grep -qx refunds && fail "the blocked commit was made"

echo "== the fixed commit passes"
echo "from payments.api import charge" > billing/refund.py
git add billing/refund.py
run_offline "${git_as_e2e[@]}" commit --quiet -m "refunds through the api" \
  || fail "the clean commit was blocked"
git log -1 --format=%s | grep -qx "refunds through the api" || fail "the clean commit is missing"

echo "== the importgate-system hook of this repository, with the binary already on PATH"
run_offline pre-commit validate-manifest "$repo/.pre-commit-hooks.yaml" \
  "$mirror/.pre-commit-hooks.yaml"
run_offline pip install --quiet "$scratch/wheels/$(basename "$wheel")"
run_offline pre-commit try-repo "$repo" importgate-system --all-files \
  || fail "the importgate-system hook did not pass the clean tree"

echo "== many files: one summary line per pre-commit batch"
mkdir -p billing/generated
# pre-commit passes at most 128 KiB of arguments per run: 2,000 paths of 100 bytes make
# two runs or more, even for a hook with require_serial.
long_name=module_named_at_length_so_that_two_thousand_paths_overflow_one_command_line
for n in $(seq 1 2000); do
  echo "from payments.internal.ledger import charge as charge_$n" \
    > "billing/generated/${long_name}_$n.py"
done
touch billing/generated/__init__.py
git add billing/generated
set +e
many=$(run_offline pre-commit run --color never 2>&1)
set -e
summaries=$(grep -c "^Found [0-9]* errors\? and" <<<"$many" || true)
[ "$(grep -c "^IG001" <<<"$many")" -eq 2000 ] || fail "not every file's IG001 was reported"
[ "$summaries" -ge 2 ] || fail "expected several pre-commit batches, found $summaries summaries"
grep -q "^Checked " <<<"$many" && fail "a per-batch banner repeats"
echo "$summaries batches, one summary line each:"
grep "^Found " <<<"$many"
echo "pre-commit e2e: ok"
