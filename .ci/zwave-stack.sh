#!/usr/bin/env bash
# The Z-Wave JS stack for the zwave_js driver's tests: zwave-js with its mock controller
# (@zwave-js/testing) and Z-Wave JS Server, pinned in tests/zwave/package-lock.json.
exec "$(dirname "$0")/npm-ci.sh" tests/zwave "the Z-Wave JS stack"
