#!/usr/bin/env bash
# Installs the Debian packages prodcat needs to build, test and benchmark.
# Idempotent and quiet: prints nothing when everything is already present.
# Usage: scripts/install-deps.sh [--with-bench]
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake ninja-build pkg-config git
  libxgboost-dev liblinear-dev libfasttext-dev
  libboost-dev libsqlitecpp-dev libsqlite3-dev libpq-dev
  nlohmann-json3-dev libsimdjson-dev libcli11-dev libspdlog-dev libfmt-dev
  libyaml-cpp-dev libutf8proc-dev libxxhash-dev libssl-dev libavro-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
TEST_PKGS=(postgresql gcovr curl nodejs npm)
BENCH_PKGS=(fasttext python3-sklearn wrk nginx time)

want=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}")
if [[ "${1:-}" == "--with-bench" ]]; then want+=("${BENCH_PKGS[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# nodejs/npm may come from outside Debian's packages (a preinstalled toolchain): accept those.
filtered=()
for p in "${missing[@]}"; do
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 || filtered+=("$p") ;;
    npm) command -v npm >/dev/null 2>&1 || filtered+=("$p") ;;
    *) filtered+=("$p") ;;
  esac
done
((${#filtered[@]} == 0)) && exit 0

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${filtered[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${filtered[@]}" >/dev/null
