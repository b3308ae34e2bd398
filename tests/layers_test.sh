#!/usr/bin/env bash
# The include check (tools/check-layers.sh) passes on the source tree, and
# fails on a tree with an include that points up and on two folders of one
# level that include each other.
# Usage: layers_test.sh VIGIL_BINARY SOURCE_DIR SHARED_DIR
set -uo pipefail
source "$2/tests/test_lib.sh"
use_work_dir

check "the source tree's includes only point down" bash "$source_dir/tools/check-layers.sh" "$source_dir"

mkdir -p "$work/up/core" "$work/up/pipeline"
echo '#include "pipeline/kafka_pipeline.h"' > "$work/up/core/signal.h"
echo '#include "core/signal.h"' > "$work/up/pipeline/kafka_pipeline.h"
bash "$source_dir/tools/check-layers.sh" "$work/up" > "$work/up.out"
check "an include from a higher folder fails" test $? -ne 0
check "... naming the file and the header" grep -q 'core/signal.h:1: core (layer 0) includes "pipeline/kafka_pipeline.h"' "$work/up.out"

mkdir -p "$work/level/state" "$work/level/ingest"
echo '#include "ingest/line_reader.h"' > "$work/level/state/state_store.cc"
echo '#include "state/state_store.h"' > "$work/level/ingest/line_reader.h"
bash "$source_dir/tools/check-layers.sh" "$work/level" > "$work/level.out"
check "folders of one level including each other fail" test $? -ne 0
check "... both directions named" test "$(grep -c 'layer 1) includes' "$work/level.out")" -eq 2

mkdir -p "$work/unknown/newfolder"
echo '#include "core/signal.h"' > "$work/unknown/newfolder/thing.cc"
bash "$source_dir/tools/check-layers.sh" "$work/unknown" > "$work/unknown.out"
check "a folder with no rank fails" test $? -ne 0

# The image is built from the layer folders one COPY each: a new folder
# missing there would only show when the image failed to build. The fuzz
# targets (fuzz/) are built only with VIGIL_FUZZ, never in the image.
layer_folders=$(grep -o '\[[a-z]*\]=[0-9]' "$source_dir/tools/check-layers.sh" | sed 's/\[\([a-z]*\)\].*/\1/' | grep -v -x -e tests -e bench -e fuzz)
check "the include check knows the layer folders" test "$(echo "$layer_folders" | wc -l)" -ge 12
for folder in $layer_folders; do
  check "Dockerfile copies $folder/" grep -q "^COPY $folder $folder\$" "$source_dir/Dockerfile"
done

finish
