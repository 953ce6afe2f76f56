#!/usr/bin/env bash
# Installs one test folder's pinned npm packages (its package-lock.json) for the tests:
#   .ci/npm-ci.sh FOLDER WHAT     e.g. .ci/npm-ci.sh tests/seam "Seam's fake server"
# Runs `npm ci` only when node_modules is missing or older than the lock file, so it is fast.
# Without npm: an error under CI=true, otherwise those tests skip.
set -euo pipefail
folder=$1
what=$2
cd "$(dirname "$0")/../$folder"

if ! command -v npm >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "npm is needed to install $what for the tests." >&2
    exit 1
  fi
  echo "npm not found: the tests that need $what will be skipped." >&2
  exit 0
fi

# npm writes node_modules/.package-lock.json after every install: older than the lock file
# means the pinned versions changed since.
installed=node_modules/.package-lock.json
if [ ! -f "$installed" ] || [ package-lock.json -nt "$installed" ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
