#!/usr/bin/env bash
# The README's second command: install what is missing, build, and run the whole test suite.
# PRODCAT_SKIP_SLOW=1 skips suites labeled "slow" (soak, browser) for quick local runs; CI runs all.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
args=(--test-dir build --output-on-failure -j "$(nproc)")
if [[ "${PRODCAT_SKIP_SLOW:-0}" == "1" ]]; then args+=(-LE slow); fi
ctest "${args[@]}" "$@"
