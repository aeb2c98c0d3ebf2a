#!/usr/bin/env bash
# An older toolchain than Cargo.toml's rust-version must get cargo's own message naming the
# version, never a parse error of importgate's manifest:
# - cargo 1.63 (Debian 12's) parses Cargo.toml (it then stops at Cargo.lock's format 4,
#   asking to be updated: that message is cargo's, not ours to change);
# - cargo 1.85 (the oldest that reads every dependency's manifest) names the version:
#   "importgate@<version> requires rustc <rust-version>".
# The toolchains come from rustup with the minimal profile.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v rustup >/dev/null || { echo "check-old-toolchains: needs rustup" >&2; exit 1; }

rust_version=$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' Cargo.toml)
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -R Cargo.toml Cargo.lock src benches "$scratch/"

for toolchain in 1.63 1.85; do
  rustup toolchain list | grep -q "^$toolchain" \
    || rustup toolchain install "$toolchain" --profile minimal --no-self-update >/dev/null 2>&1
done

(cd "$scratch" && cargo +1.63 read-manifest >/dev/null) \
  || { echo "cargo 1.63 cannot parse Cargo.toml" >&2; exit 1; }
echo "cargo 1.63 parses Cargo.toml"

set +e
message=$(cd "$scratch" && CARGO_TARGET_DIR="$scratch/target" cargo +1.85 build --locked 2>&1)
set -e
if ! grep -q "importgate@$version requires rustc $rust_version" <<<"$message"; then
  echo "cargo 1.85 did not name rust-version $rust_version:" >&2
  echo "$message" >&2
  exit 1
fi
echo "cargo 1.85: $(grep -m1 "is not supported" <<<"$message")"
echo "cargo 1.85: $(grep -m1 "importgate@" <<<"$message" | sed 's/^ *//')"
