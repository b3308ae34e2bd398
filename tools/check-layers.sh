#!/usr/bin/env bash
# Fails when a folder includes a header from a folder above it, or from one
# on its own level (so no two folders can include each other). The order is
# the README's ("How it works"); a folder may include its own headers and
# those of any folder with a smaller rank.
# Usage: tools/check-layers.sh [SOURCE_DIR]
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"

declare -A rank=(
  [core]=0
  [state]=1 [ingest]=1 [kafka]=1 [telemetry]=1 [text]=1
  [detectors]=2 [synthetic]=2 [review]=2
  [series]=3 [sinks]=3
  [config]=4
  [pipeline]=5 [web]=5
  [app]=6
  [bench]=7 [tests]=7 [fuzz]=7
)

# The tracked and new source files of a checkout, or every one below a plain folder.
source_files() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files --cached --others --exclude-standard -- '*.h' '*.cc' '*.in' | grep '/'
  else
    find . -mindepth 2 \( -name '*.h' -o -name '*.cc' -o -name '*.in' \) -not -path './build*' | sed 's#^\./##'
  fi
}

violations=0 checked=0
while IFS= read -r file; do
  from=${file%%/*}
  [[ -n "${rank[$from]:-}" ]] || { echo "$file: folder '$from' has no rank in tools/check-layers.sh"; violations=$((violations + 1)); continue; }
  while IFS=: read -r line target; do
    to=${target%%/*}
    checked=$((checked + 1))
    [[ "$to" == "$from" ]] && continue
    if [[ -z "${rank[$to]:-}" ]]; then
      echo "$file:$line: includes \"$target\" from folder '$to', which has no rank"
      violations=$((violations + 1))
    elif ((rank[$to] >= rank[$from])); then
      echo "$file:$line: $from (layer ${rank[$from]}) includes \"$target\" ($to, layer ${rank[$to]})"
      violations=$((violations + 1))
    fi
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*/' "$file" | sed -E 's/^([0-9]+):.*include[[:space:]]*"([^"]+)".*/\1:\2/')
done < <(source_files)

echo "check-layers: $checked includes checked, $violations violations"
((violations == 0))
