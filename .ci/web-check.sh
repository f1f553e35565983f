#!/usr/bin/env bash
# The committed web client build (web/dist, embedded in the binary) must be exactly what its
# sources build to: `npm ci` from the lock file, `npm run build`, then no difference in git.
set -euo pipefail
cd "$(dirname "$0")/../web"

export npm_config_cache="${npm_config_cache:-$HOME/.cache/npm}"
npm ci --no-audit --no-fund --prefer-offline </dev/null
npm run build </dev/null
cd ..
# Untracked files count too: a new asset name means the committed build is stale.
changes=$(git status --porcelain --untracked-files=all -- web/dist)
if [[ -n "$changes" ]]; then
  echo "web/dist differs from a fresh build of web/ (run 'npm ci && npm run build' in web/ and commit web/dist):" >&2
  echo "$changes" >&2
  git --no-pager diff --stat -- web/dist >&2
  exit 1
fi
echo "web/dist matches its sources"
