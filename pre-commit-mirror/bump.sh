#!/usr/bin/env bash
# Points the mirror at another importgate release, commits and tags it:
#
#   ./bump.sh 0.2.1      # pyproject.toml and README.md pin 0.2.1; commit; tag v0.2.1
#
# Run it in the mirror repository (a copy of importgate's pre-commit-mirror/ directory) once
# the release's wheels are on the package index. The tag is what users' `rev:` names.
set -euo pipefail
cd "$(dirname "$0")"

version=${1:?usage: bump.sh VERSION (as 0.2.1)}
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([a-z0-9.+-]*)?$ ]]; then
  echo "bump.sh: '$version' is not a version (0.2.1)" >&2
  exit 2
fi
python3 - "$version" <<'PY'
import pathlib, re, sys
version = sys.argv[1]
pyproject = pathlib.Path("pyproject.toml")
text = pyproject.read_text()
text, pins = re.subn(r'"importgate==[^"]*"', f'"importgate=={version}"', text)
text, versions = re.subn(r'(?m)^version = "[^"]*"', f'version = "{version}"', text)
if (pins, versions) != (1, 1):
    sys.exit("bump.sh: pyproject.toml lost its importgate pin or its version line")
pyproject.write_text(text)
readme = pathlib.Path("README.md")
if readme.exists():
    readme.write_text(re.sub(r"rev: v[0-9][^\s]*", f"rev: v{version}", readme.read_text()))
PY
if git rev-parse --git-dir >/dev/null 2>&1; then
  git add pyproject.toml README.md
  git commit --quiet -m "importgate $version"
  git tag "v$version"
  echo "tagged v$version: push with git push --follow-tags" >&2
fi
