#!/usr/bin/env bash
# Tags a release: the version in Cargo.toml becomes the annotated tag v<version>, whose
# message is the version's CHANGELOG.md section.
#
#   scripts/release.sh           # checks that the release is consistent, then tags it
#   scripts/release.sh --check   # only the checks (CI runs this on every change)
#
# The release is consistent when Cargo.toml and Cargo.lock have the same version, CHANGELOG.md
# has a dated section for it (Keep a Changelog) under [Unreleased], the pre-commit mirror
# template pins it, the Zed extension (editors/zed) has it, and every `rev: v...`, `importgate@v...` and `importgate==...` in the
# READMEs and examples, and action.yml's default version, name it. Tagging also needs a clean
# working tree and a tag that does not exist yet. Next steps (printed at the end): push the
# tag, build the wheels (scripts/build-wheel.sh), upload them, bump the mirror.
set -euo pipefail
cd "$(dirname "$0")/.."

check_only=false
case "${1:-}" in
  --check) check_only=true ;;
  "") ;;
  *) echo "usage: scripts/release.sh [--check]" >&2; exit 2 ;;
esac

problems=()
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[ -n "$version" ] || { echo "release: no version in Cargo.toml" >&2; exit 1; }
tag="v$version"

locked=$(awk '/^name = "importgate"$/ { getline; print }' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
[ "$locked" = "$version" ] \
  || problems+=("Cargo.lock has importgate $locked, Cargo.toml $version (run cargo build)")

changelog_heading=$(grep -E "^## \[$version\] - [0-9]{4}-[0-9]{2}-[0-9]{2}$" CHANGELOG.md || true)
[ -n "$changelog_heading" ] \
  || problems+=("CHANGELOG.md has no '## [$version] - YYYY-MM-DD' section")
grep -qx "## \[Unreleased\]" CHANGELOG.md \
  || problems+=("CHANGELOG.md has no '## [Unreleased]' section for the next changes")

grep -q "\"importgate==$version\"" pre-commit-mirror/pyproject.toml \
  || problems+=("pre-commit-mirror/pyproject.toml does not pin importgate==$version")
grep -qx "version = \"$version\"" pre-commit-mirror/pyproject.toml \
  || problems+=("pre-commit-mirror/pyproject.toml's own version is not $version")

# The Zed extension carries the version it is released with.
for manifest in editors/zed/extension.toml editors/zed/Cargo.toml; do
  grep -qx "version = \"$version\"" "$manifest" \
    || problems+=("$manifest's version is not $version")
done

# Every place that names a release: pre-commit revs, action refs, pip pins, the action's
# default version.
for file in README.md pre-commit-mirror/README.md examples/*.yml; do
  while read -r rev; do
    [ "$rev" = "$tag" ] || problems+=("$file says 'rev: $rev' where the release is $tag")
  done < <(grep -oE "rev: v[0-9][0-9A-Za-z.+-]*[0-9A-Za-z]" "$file" | sed 's/^rev: //')
  while read -r ref; do
    [ "$ref" = "$tag" ] || problems+=("$file uses importgate@$ref where the release is $tag")
  done < <(grep -oE "/importgate@v[0-9][0-9A-Za-z.+-]*[0-9A-Za-z]" "$file" | sed 's|^/importgate@||')
  while read -r pin; do
    [ "$pin" = "$version" ] || problems+=("$file pins importgate==$pin, the release is $version")
  done < <(grep -oE "importgate==[0-9][0-9A-Za-z.+-]*[0-9A-Za-z]" "$file" | sed 's/^importgate==//')
done
action_default=$(awk '/^  version:/ { inside = 1 } inside && /default:/ { print; exit }' action.yml \
  | sed 's/.*default: *"\(.*\)"/\1/')
[ "$action_default" = "$version" ] \
  || problems+=("action.yml installs importgate $action_default by default, the release is $version")

if ! $check_only; then
  [ -z "$(git status --porcelain)" ] || problems+=("the working tree has uncommitted changes")
  if git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
    problems+=("the tag $tag exists already")
  fi
fi

if [ "${#problems[@]}" -gt 0 ]; then
  echo "release $tag is not ready:" >&2
  printf '  - %s\n' "${problems[@]}" >&2
  exit 1
fi
if $check_only; then
  echo "release $tag: consistent"
  exit 0
fi

# The tag's message: the version's section of the changelog, without its heading.
notes=$(awk -v heading="$changelog_heading" '
  $0 == heading { inside = 1; next }
  inside && /^## / { exit }
  inside && /^\[[^]]*\]: / { exit }
  inside { print }
' CHANGELOG.md | sed '/./,$!d')
git tag --annotate --cleanup=verbatim "$tag" --message "importgate $version" --message "$notes"
echo "tagged $tag at $(git rev-parse --short HEAD)"
cat <<EOF
next:
  git push origin $tag
  scripts/build-wheel.sh                      # the manylinux2014 wheel, checked
  maturin upload target/wheels/importgate-$version-*.whl   # or twine upload
  (in the mirror repository) ./bump.sh $version && git push --follow-tags
EOF
