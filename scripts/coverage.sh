#!/usr/bin/env bash
# Line coverage of libprodcat (src/) with gcovr, from an instrumented build in build-cov/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
PRODCAT_BUILD_DIR=build-cov scripts/build.sh -DPRODCAT_COVERAGE=ON -DCMAKE_BUILD_TYPE=Debug -DPRODCAT_BUILD_BENCH=OFF
find build-cov -name '*.gcda' -delete
ctest --test-dir build-cov -j "$(nproc)" "$@" || true
# Options of Debian 12's gcovr 5.2.
gcovr --root . --filter 'src/' --object-directory build-cov --print-summary \
  -o build-cov/coverage.txt --exclude-unreachable-branches --gcov-ignore-parse-errors | tail -3
