#!/usr/bin/env bash
# Fresh machine to a passing test suite: install, build, run every test.
#   tools/test.sh              the normal build (build/)
#   tools/test.sh --sanitize   an address + undefined-behaviour sanitizer build (build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--sanitize" ]]; then
  export VIGIL_BUILD_DIR=build-asan
  bash tools/build.sh -DCMAKE_BUILD_TYPE=Debug -DVIGIL_SANITIZE=ON -DVIGIL_BENCHMARKS=OFF
  # RocksDB and librdkafka keep process-lifetime allocations; leaks are not
  # what this build is for.
  export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  # The demo check is the normal build's end-to-end run of the command line,
  # the deployment checks (chart, dashboards, alert rules) test no C++, and
  # the real-broker tests (label broker) run the normal build's pipeline for
  # minutes; the browser test drives a real browser for minutes through the
  # pages whose server code serve_test and the review tests already run under
  # the sanitizers; the FHIR round trip replays 300,000 events three times
  # (over 7 minutes under the sanitizers) through the decoder that
  # fhir_decoder_test, fhir_bundle_test and the fuzz run already cover here;
  # everything else, the mock-cluster Kafka tests included, runs under the
  # sanitizers.
  ctest --test-dir "$VIGIL_BUILD_DIR" --output-on-failure -j 2 -LE broker \
      -E '^(demo_test|chart_test|dashboards_test|monitoring_metrics_test|rules_test|review_browser_test|fhir_round_trip_test)$'
  exit
else
  export VIGIL_BUILD_DIR=build
  bash tools/build.sh
  # Helm for tests/chart_test.sh, built from its Go module once per machine
  # (cached), here rather than inside the test's time limit; and the real
  # Kafka broker's jars for the broker tests, fetched with Maven once. A
  # failure stops the run here, rather than as puzzling test failures later.
  started=$(date +%s)
  helm=$(bash tools/install-helm.sh) || {
    echo "tools/test.sh: tools/install-helm.sh failed (output above); not running the tests" >&2
    exit 1
  }
  echo "helm: $helm ($(( $(date +%s) - started )) s)"
  started=$(date +%s)
  kafka=$(bash tools/kafka-broker.sh fetch) || {
    echo "tools/test.sh: tools/kafka-broker.sh fetch failed (output above); not running the tests" >&2
    exit 1
  }
  echo "kafka: $kafka ($(( $(date +%s) - started )) s)"
fi
# The real-broker tests (label broker) spend much of their time waiting on
# a stopped broker, a session timeout or restarts, so they run beside the
# rest rather than taking both slots for minutes. Each ctest keeps its own
# Testing/ directory (logs, timing data): the broker tests run from the
# build tree's tests/ directory, where every test is defined, the rest from
# the top of the build tree.
ctest --test-dir "$VIGIL_BUILD_DIR/tests" --output-on-failure -j 2 -L broker \
    >"$VIGIL_BUILD_DIR/broker-tests.log" 2>&1 &
broker_tests=$!
status=0
ctest --test-dir "$VIGIL_BUILD_DIR" --output-on-failure -j 2 -LE broker || status=$?
wait "$broker_tests" || status=$?
echo "== broker tests (label broker)"
cat "$VIGIL_BUILD_DIR/broker-tests.log"
exit "$status"
