#!/usr/bin/env bash
# Step outputs: root (the grantbot checkout this action belongs to), lock-hash (of its
# package-lock.json, the npm cache key) and npm-cache (npm's cache directory).
set -euo pipefail
root="$(cd "$GITHUB_ACTION_PATH/../../.." && pwd)"
if [ ! -f "$root/package-lock.json" ] || [ ! -f "$root/bin/grantbot.js" ]; then
  echo "::error::grantbot action: $root is not a grantbot checkout (no package-lock.json or bin/grantbot.js)"
  exit 1
fi
{
  echo "root=$root"
  echo "lock-hash=$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)"
  echo "npm-cache=$(npm config get cache)"
} >> "$GITHUB_OUTPUT"
