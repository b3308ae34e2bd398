#!/usr/bin/env bash
# Installs dependencies (Debian packages) and builds Vigil into build/ (or the
# directory given as $VIGIL_BUILD_DIR).
#   tools/build.sh [--target T]... [CMAKE_ARGS...]
# --target builds only T (e.g. vigil, for the demo) and installs only what
# building needs; without it everything is built, tests included, and every
# test dependency is installed. Other arguments go to CMake.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=()
cmake_args=()
while (($#)); do
  case $1 in
    --target) targets+=(--target "$2"); shift 2 ;;
    *) cmake_args+=("$1"); shift ;;
  esac
done
if ((${#targets[@]})); then
  bash tools/install-deps.sh --build-only
else
  bash tools/install-deps.sh
fi
build_dir=${VIGIL_BUILD_DIR:-build}
# ccache (installed with the build dependencies) serves objects compiled
# before, in this clone or another: paths below the clone are hashed relative
# to it, and the build directory is left out of the hash (it only names the
# compilation directory in the debug information). VIGIL_NO_CCACHE=1 builds
# without it, for a cold-build measurement.
if [[ -z "${VIGIL_NO_CCACHE:-}" ]] && command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
  cmake_args=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache "${cmake_args[@]}")
fi
cmake -S . -B "$build_dir" -G Ninja "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" "${targets[@]}"
