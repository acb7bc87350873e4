#!/usr/bin/env bash
# Builds the web UI into ui/dist. With `--strict` (make test), a missing or too old Node.js is an
# error; otherwise (make run) Hookbell still builds and serves its small built-in page, and this
# says how to get the full inbox.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node-ok.sh

strict=false
[ "${1:-}" = --strict ] && strict=true

if ! node_ok; then
  msg="the web UI needs Node.js $NODE_MIN or newer ($(node --version 2>/dev/null || echo 'none') found)"
  if $strict; then
    echo "build-ui: $msg" >&2
    exit 1
  fi
  echo "build-ui: $msg; hookbelld will serve its small built-in page instead of the full inbox." >&2
  exit 0
fi

cd ui
npm ci --no-audit --no-fund --loglevel=error
if $strict; then
  npm run check
  npm test
fi
npm run build
