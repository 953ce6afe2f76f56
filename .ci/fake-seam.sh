#!/usr/bin/env bash
# Installs Seam's fake server and Seam's JavaScript SDK (both pinned in tests/seam/package-lock.json)
# for the seam driver's tests and the JavaScript SDK's run against the API.
# Runs `npm ci` only when node_modules is missing or older than the lock file, so it is fast.
set -euo pipefail
cd "$(dirname "$0")/../tests/seam"

if ! command -v npm >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "npm is needed to install Seam's fake server and JavaScript SDK for the tests." >&2
    exit 1
  fi
  echo "npm not found: the Seam driver's integration tests and the JavaScript SDK's will be skipped." >&2
  exit 0
fi

# npm writes node_modules/.package-lock.json after every install: older than the lock file
# means the pinned versions changed since.
installed=node_modules/.package-lock.json
if [ ! -f "$installed" ] || [ package-lock.json -nt "$installed" ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
