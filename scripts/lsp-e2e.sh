#!/usr/bin/env bash
# End-to-end tests of `importgate server` with a real LSP client: pytest-lsp (PyPI, pinned,
# on pygls) starts the server over stdio and drives it as an editor would
# (tests/lsp/test_server.py). Each test works on a scratch copy of the demo.
#
#   scripts/lsp-e2e.sh                  # builds the debug binary, installs pytest-lsp
#   IMPORTGATE=path/to/importgate scripts/lsp-e2e.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${IMPORTGATE:-}" ]; then
  (cd "$repo" && cargo build --locked --quiet --bin importgate)
  export IMPORTGATE="$repo/target/debug/importgate"
fi
venv="${TMPDIR:-/tmp}/importgate-lsp-venv"
if [ ! -x "$venv/bin/pytest" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check pytest-lsp==1.0.1
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$repo/tests/lsp"
IMPORTGATE_LSP_TREE="$scratch/tree" "$venv/bin/python" -m pytest -q -p no:cacheprovider .
