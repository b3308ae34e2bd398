#!/usr/bin/env bash
# Installs every build and test dependency of Vigil from Debian packages.
# Idempotent: packages already present are skipped by apt-get.
#   install-deps.sh               everything the build and the tests need
#   install-deps.sh --build-only  only what building the binary needs (tools/demo.sh)
#   install-deps.sh --fuzz        what building needs, and clang with libFuzzer (tools/fuzz.sh)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  librdkafka-dev librocksdb-dev libsimdjson-dev
  prometheus-cpp-dev libcivetweb-dev
  libboost-test-dev libboost-dev libboost-math-dev
  libeigen3-dev libnlopt-cxx-dev libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev
  libbenchmark-dev libcurl4-openssl-dev libssl-dev ccache
  libsqlite3-dev libsqlitecpp-dev libkainjow-mustache-dev robin-map-dev
)
if [[ "${1:-}" == "--fuzz" ]]; then
  # clang's libFuzzer for the fuzz targets (fuzz/); gcc builds everything else.
  packages+=(clang-15 libfuzzer-15-dev)
elif [[ "${1:-}" != "--build-only" ]]; then
  # The tests' tools: Prometheus and Alertmanager, kcat, Python with the
  # schema and YAML modules, and Java with Maven for the real Kafka broker.
  packages+=(
    prometheus prometheus-alertmanager kcat python3 python3-jsonschema python3-yaml curl bc time openssl
    default-jre-headless maven
    chromium chromium-driver python3-selenium
  )
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
