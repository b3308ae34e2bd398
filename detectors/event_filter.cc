#include "detectors/event_filter.h"

#include <algorithm>

namespace vigil {

bool EventFilter::matches(const IncidentEvent& e) const {
  if (!record_types.empty() &&
      std::find(record_types.begin(), record_types.end(), e.record_type) == record_types.end()) {
    return false;
  }
  if (!categories.empty() &&
      std::find(categories.begin(), categories.end(), e.category) == categories.end()) {
    return false;
  }
  if (!agents.empty()) {
    const bool any = std::any_of(e.agents.begin(), e.agents.end(), [&](std::string_view a) {
      return std::find(agents.begin(), agents.end(), a) != agents.end();
    });
    if (!any) return false;
  }
  if (min_physical_harm != PhysicalHarm::kUnknown) {
    if (e.physical_harm == PhysicalHarm::kUnknown || e.physical_harm < min_physical_harm) return false;
  }
  return true;
}

std::string EventFilter::describe() const {
  std::string out;
  if (min_physical_harm != PhysicalHarm::kUnknown && min_physical_harm != PhysicalHarm::kNone) {
    out += to_string(min_physical_harm);
    out += "-or-worse harm ";
  }
  if (record_types.size() == 1) {
    out += to_string(record_types.front());
    out += " reports";
  } else {
    out += "reports";
  }
  return out;
}

}  // namespace vigil
