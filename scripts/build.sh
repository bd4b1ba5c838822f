#!/usr/bin/env bash
# Configures and builds prodcat (Release) into build/. Extra arguments go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${PRODCAT_BUILD_DIR:-build}
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
fi
ninja -C "$BUILD_DIR" ${PRODCAT_NINJA_JOBS:+-j"$PRODCAT_NINJA_JOBS"} | grep -v '^\[' || true
test "${PIPESTATUS[0]}" -eq 0
