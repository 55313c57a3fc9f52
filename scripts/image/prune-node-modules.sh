#!/usr/bin/env bash
# Removes from a production node_modules what nothing loads at run time: type declarations, source
# maps, Markdown, and better-sqlite3's C sources and build intermediates (only its compiled addon,
# build/Release/better_sqlite3.node, is loaded). Licence files stay. Used by the Dockerfile and by
# scripts/image/build-image.sh, so both images hold the same files.
# Usage: prune-node-modules.sh NODE_MODULES_DIR
set -euo pipefail
dir="${1:?usage: prune-node-modules.sh NODE_MODULES_DIR}"
[[ -d "$dir" ]] || { echo "prune-node-modules: $dir is not a directory" >&2; exit 1; }

rm -rf "$dir/@types" "$dir/.package-lock.json"
find "$dir" -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \
  -o -name '*.md' -o -name '*.markdown' -o -name '*.tsbuildinfo' \) -delete

sqlite="$dir/better-sqlite3"
if [[ -d "$sqlite" ]]; then
  rm -rf "$sqlite/deps" "$sqlite/src" "$sqlite/binding.gyp"
  if [[ -d "$sqlite/build" ]]; then
    # -delete goes depth first: a directory's files go before it, so only Release and the addon stay.
    find "$sqlite/build" -mindepth 1 -not -path "$sqlite/build/Release" \
      -not -path "$sqlite/build/Release/better_sqlite3.node" -delete
  fi
fi
find "$dir" -depth -type d -empty -delete
