#!/usr/bin/env bash
# Installs grantbot's runtime dependencies in its checkout ($GRANTBOT_ROOT) from its lockfile,
# once per job: a second use of the action in the same job finds the marker and skips npm ci.
set -euo pipefail
cd "$GRANTBOT_ROOT"
marker=".grantbot-installed"
lock="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "$(cat "$marker" 2>/dev/null || true)" != "$lock" ]; then
  npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$lock" > "$marker"
fi
echo "grantbot $(node bin/grantbot.js --version) from $GRANTBOT_ROOT"
