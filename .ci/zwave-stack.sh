#!/usr/bin/env bash
# Installs the Z-Wave JS stack for the zwave_js driver's tests: zwave-js with its mock controller
# (@zwave-js/testing) and Z-Wave JS Server, pinned in tests/zwave/package-lock.json.
# Runs `npm ci` only when node_modules is missing or older than the lock file, so it is fast.
set -euo pipefail
cd "$(dirname "$0")/../tests/zwave"

if ! command -v npm >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "npm is needed to install the Z-Wave JS stack for the tests." >&2
    exit 1
  fi
  echo "npm not found: the Z-Wave JS driver's integration tests will be skipped." >&2
  exit 0
fi

# npm writes node_modules/.package-lock.json after every install: older than the lock file
# means the pinned versions changed since.
installed=node_modules/.package-lock.json
if [ ! -f "$installed" ] || [ package-lock.json -nt "$installed" ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
