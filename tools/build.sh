#!/usr/bin/env bash
# Installs dependencies (Debian packages) and builds Vigil into build/ (or the
# directory given as $VIGIL_BUILD_DIR). Extra arguments go to CMake.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
build_dir=${VIGIL_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
