#!/usr/bin/env bash
# Writes the vestige-pre-commit hook repository into OUT_DIR: the hooks of .pre-commit-hooks.yaml
# as `language: python` hooks, over a package whose only dependency is the vestige wheel of
# Cargo.toml's version (ruff-pre-commit's pattern). pre-commit runs `pip install .` in a hook
# repository, so these hooks cannot live in vestige's own repository, where that would build the
# crate with maturin and cargo. Publishing means committing OUT_DIR to that repository and tagging
# it vVERSION.
#
#   pre-commit/stage.sh OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
out=${1:?usage: pre-commit/stage.sh OUT_DIR}

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n 1)
[ -n "$version" ] || { echo "pre-commit/stage.sh: no version in Cargo.toml" >&2; exit 2; }
grep -q '^  language: rust$' "$repo/.pre-commit-hooks.yaml" \
  || { echo "pre-commit/stage.sh: .pre-commit-hooks.yaml has no 'language: rust' hook" >&2; exit 2; }

mkdir -p "$out"
{
  echo "# vestige's pre-commit hooks over the vestige wheel (vestige $version); no Rust needed."
  echo "# Written by vestige's pre-commit/stage.sh from its .pre-commit-hooks.yaml: do not edit."
  grep -v '^#' "$repo/.pre-commit-hooks.yaml" | sed 's/^  language: rust$/  language: python/'
} > "$out/.pre-commit-hooks.yaml"

cat > "$out/pyproject.toml" <<TOML
# Installed by pre-commit into the hooks' virtualenv: nothing but the vestige wheel.
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "vestige-pre-commit"
version = "$version"
description = "pre-commit hooks for vestige, over the vestige wheel"
dependencies = ["vestige==$version"]

[tool.setuptools]
py-modules = []
TOML
sed "s/{version}/$version/g" "$here/README.md" > "$out/README.md"
echo "$out: vestige-pre-commit $version"
