#!/usr/bin/env bash
# Builds the importgate wheel for old Linux distributions and checks it.
#
#   scripts/build-wheel.sh              # the wheel into target/wheels/; prints its path
#   OUT=/tmp/wheels scripts/build-wheel.sh
#
# maturin builds the `importgate` binary into a wheel (`bindings = "bin"` in pyproject.toml)
# and links it with zig (`ziglang` from PyPI) against glibc 2.17, the manylinux2014 policy:
# the oldest policy that maturin's zig support targets here, so the wheel installs on every
# distribution pip still supports (CentOS 7 and later, Debian 8 and later). auditwheel then
# says which policy the wheel really meets; a wheel that needs a newer glibc fails the
# script. maturin, ziglang and auditwheel come from PyPI into a scratch virtual environment,
# never into the repository.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$repo/target/wheels}
venv=${WHEEL_VENV:-${TMPDIR:-/tmp}/importgate-wheel-venv}

if [ ! -x "$venv/bin/maturin" ]; then
  echo "== installing maturin, ziglang and auditwheel into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "maturin>=1.7,<2" ziglang auditwheel
fi
mkdir -p "$out"
rm -f "$out"/importgate-*.whl
echo "== building the manylinux2014 wheel with zig" >&2
(cd "$repo" && PATH="$venv/bin:$PATH" "$venv/bin/maturin" build --release --zig \
  --compatibility manylinux2014 --out "$out" >&2)
wheel=$(ls "$out"/importgate-*.whl)
echo "== auditwheel show" >&2
report=$("$venv/bin/auditwheel" show "$wheel")
echo "$report" >&2
if ! grep -q '"manylinux_2_17_x86_64"' <<<"$report"; then
  echo "the wheel does not meet manylinux_2_17 (manylinux2014)" >&2
  exit 1
fi
echo "$wheel"
