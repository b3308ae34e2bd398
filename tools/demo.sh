#!/usr/bin/env bash
# Fresh machine to a running demo: install, build, run `vigil demo`.
# Extra arguments go to `vigil demo` (e.g. --seconds 45 --json).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh --target vigil
exec build/vigil demo "$@"
