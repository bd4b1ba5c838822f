#!/usr/bin/env bash
# Configures and builds prodcat (Release) into build/. Extra arguments go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${PRODCAT_BUILD_DIR:-build}
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
fi
# Quiet on success; on failure show the end of the log (the compiler's message).
if ! ninja -C "$BUILD_DIR" ${PRODCAT_NINJA_JOBS:+-j"$PRODCAT_NINJA_JOBS"} >"$BUILD_DIR/build.log" 2>&1; then
  tail -n 60 "$BUILD_DIR/build.log" >&2
  echo "build failed; full log: $BUILD_DIR/build.log" >&2
  exit 1
fi
