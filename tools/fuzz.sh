#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, docs/fuzzing.md) with clang and runs
# each from its seed corpus (fuzz/corpus/<target>/) for a while.
#   tools/fuzz.sh [--ci] [SECONDS] [TARGET...]
# SECONDS per target (default 20); the targets run side by side. Without
# TARGET, all three: event_decoder, repartition_record, pipeline_config.
# --ci links the layers the targets only call into (detectors, review, kafka,
# telemetry, sinks) from the normal build in build/, uninstrumented, instead of
# compiling them again (build-fuzz-ci/); without it everything the targets
# link is instrumented (build-fuzz/), which is what long runs should use.
# Exits non-zero when a target crashes, leaks, times out or runs out of
# memory; the input that did it is left in the build directory's
# fuzz-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
ci=false
if [[ "${1:-}" == "--ci" ]]; then ci=true; shift; fi
seconds=${1:-20}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(event_decoder fhir_decoder repartition_record pipeline_config)

bash tools/install-deps.sh --fuzz
cmake_args=(-DCMAKE_CXX_COMPILER=clang++-15 -DVIGIL_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
            "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only")
build_dir=build-fuzz
if $ci; then
  build_dir=build-fuzz-ci
  cmake_args+=(-DVIGIL_FUZZ_PREBUILT="$PWD/build")
  cmake --build build --target vigil_detectors vigil_review vigil_kafka vigil_telemetry vigil_sinks
fi
if [[ -z "${VIGIL_NO_CCACHE:-}" ]] && command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
  cmake_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
started=$(date +%s)
cmake -S . -B "$build_dir" -G Ninja "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]/%/_fuzz}"
echo "fuzz build: $(($(date +%s) - started)) s"

# New inputs go to a scratch corpus, so a run leaves the repository's seeds
# as they are; the configuration parser runs in an empty directory, so a
# file name it invents reads nothing.
artifacts=$build_dir/fuzz-artifacts
rm -rf "$build_dir/fuzz-run"
mkdir -p "$artifacts"
pids=()
for t in "${targets[@]}"; do
  run=$build_dir/fuzz-run/$t
  mkdir -p "$run/corpus"
  (cd "$run" && exec "$OLDPWD/$build_dir/fuzz/${t}_fuzz" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$OLDPWD/$artifacts/$t-" \
      corpus "$OLDPWD/fuzz/corpus/$t" >log 2>&1) &
  pids+=($!)
done
status=0
for i in "${!targets[@]}"; do
  t=${targets[$i]}
  log=$build_dir/fuzz-run/$t/log
  if wait "${pids[$i]}"; then
    echo "$t: $(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)"
  else
    status=1
    echo "$t: FAILED (input in $artifacts/); its log:"
    tail -n 60 "$log"
  fi
done
exit "$status"
