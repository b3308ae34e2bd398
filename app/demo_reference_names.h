// Names for the codes of the demo's synthetic stream, so `vigil demo
// --ui-port` shows "acute trust in Somerset ICB (RH5)" rather than a bare
// code: the synthetic catalogue knows every organisation, ICB, region,
// medicine and device model it generates, but is not a reference table file.
#pragma once

#include "review/reference_names.h"

namespace vigil {

// Adds the catalogue's names to `names` under the signal key dimensions
// org, icb, region, medication and device.
void add_synthetic_names(ReferenceNames& names);

}  // namespace vigil
