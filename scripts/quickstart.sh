#!/usr/bin/env bash
# The README's first command: install what is missing, build, and run the main job end to end on
# generated sample data (SQLite/local files only). Arguments are passed to `prodcat run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/apps/prodcat run "$@"
