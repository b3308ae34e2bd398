// The dimensions a detector can key its counts by, and how an event's values
// for them are read without allocating.
//
// Single-valued dimensions with no value form their own "unknown" group so
// that nothing is dropped (missing ethnicity is a stratum, not a gap).
// Multi-valued dimensions (medication, device, agent) contribute one key per
// listed value, and none when the event lists none: an incident that names no
// medicine is not a medication incident.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/incident_event.h"
#include "state/key_encoding.h"

namespace vigil {

enum class Dimension : uint8_t {
  kCategory,
  kRegion,
  kIcb,
  kOrg,
  kServiceArea,
  kSpecialty,
  kRecordType,
  kMedication,  // dm+d code
  kDevice,      // code, else "manufacturer model", else "manufacturer name" (.cc)
  kAgent,
  kEthnicity,
  kAgeBand,
  kSex,
  kImdQuintile,
};

std::string_view to_string(Dimension d);
std::optional<Dimension> parse_dimension(std::string_view name);
bool is_multi_valued(Dimension d);

inline constexpr std::string_view kUnknownValue = "unknown";

// Appends the event's values for `d` to `values` (views valid as long as the
// event's). Device values without a code are written into `scratch`, which
// must outlive the views and is not cleared by this function.
void dimension_values(const IncidentEvent& event, Dimension d, std::vector<std::string_view>& values,
                      std::string& scratch);

// Bytes dimension_values may append to scratch for one kDevice dimension.
size_t device_scratch_bytes(const IncidentEvent& event);

// Calls visit(key) once per distinct combination of the event's values over
// `dims` (a value listed twice counts once), where key is the values encoded
// by the key-part encoding of state/key_encoding.h (joined by kKeySeparator,
// any separator byte inside a value escaped), in no particular order. Reuses
// `state` buffers so a steady stream of events allocates nothing.
inline constexpr char kKeySeparator = kKeyPartSeparator;

struct KeyBuilderState {
  std::vector<std::vector<std::string_view>> values;
  std::vector<size_t> cursor;
  std::string key;
  std::string scratch;
};

template <typename Visit>
void for_each_key(const IncidentEvent& event, const std::vector<Dimension>& dims, KeyBuilderState& st,
                  Visit&& visit) {
  st.values.resize(dims.size());
  st.cursor.assign(dims.size(), 0);
  st.scratch.clear();
  // Reserve up front so that device values appended to scratch never move
  // views taken earlier in this call.
  st.scratch.reserve(device_scratch_bytes(event) * dims.size());
  for (size_t i = 0; i < dims.size(); ++i) {
    st.values[i].clear();
    dimension_values(event, dims[i], st.values[i], st.scratch);
    if (st.values[i].empty()) return;
    // A value listed twice (two identical pumps, one medicine named twice) is
    // still one report for its key: visiting the key twice would count the
    // event twice. Sorting views allocates nothing.
    if (st.values[i].size() > 1) {
      std::sort(st.values[i].begin(), st.values[i].end());
      st.values[i].erase(std::unique(st.values[i].begin(), st.values[i].end()), st.values[i].end());
    }
  }
  while (true) {
    st.key.clear();
    for (size_t i = 0; i < dims.size(); ++i) {
      if (i) st.key.push_back(kKeySeparator);
      append_key_part(st.key, st.values[i][st.cursor[i]]);
    }
    visit(std::string_view(st.key));
    size_t i = dims.size();
    while (i > 0) {
      --i;
      if (++st.cursor[i] < st.values[i].size()) break;
      st.cursor[i] = 0;
      if (i == 0) return;
    }
    if (dims.empty()) return;
  }
}

// Splits a key built by for_each_key into named parts for a signal, each
// value unescaped (exactly the value the event gave).
std::vector<std::pair<std::string, std::string>> key_parts(const std::vector<Dimension>& dims,
                                                          std::string_view key);

}  // namespace vigil
