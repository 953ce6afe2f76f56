#!/usr/bin/env bash
# Seam's fake server and Seam's JavaScript SDK (both pinned in tests/seam/package-lock.json)
# for the seam driver's tests and the JavaScript SDK's run against the API.
exec "$(dirname "$0")/npm-ci.sh" tests/seam "Seam's fake server and JavaScript SDK"
