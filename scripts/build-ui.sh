#!/usr/bin/env bash
# Builds the web UI into ui/dist. With `--strict` (make test), a missing or too old Node.js is an
# error; otherwise (make run) Hookbell still builds and serves its small built-in page, and this
# says how to get the full inbox.
set -euo pipefail
cd "$(dirname "$0")/.."

strict=false
[ "${1:-}" = --strict ] && strict=true

node_ok=no
if command -v node >/dev/null 2>&1; then
  node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number); console.log(a>20||(a===20&&b>=19)?"yes":"no")')
fi
if [ "$node_ok" != yes ]; then
  msg="the web UI needs Node.js 20.19 or newer ($(node --version 2>/dev/null || echo 'none') found)"
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
