// Which events a detector counts, e.g. "incidents with moderate or worse
// physical harm in the medication category".
#pragma once

#include <string>
#include <vector>

#include "core/incident_event.h"

namespace vigil {

struct EventFilter {
  std::vector<RecordType> record_types;  // empty: all
  std::vector<std::string> categories;   // empty: all
  std::vector<std::string> agents;       // empty: all; else the event names one of these
  // kUnknown: no harm condition. Otherwise events whose physical harm is at
  // least this (unknown harm never passes a harm condition).
  PhysicalHarm min_physical_harm = PhysicalHarm::kUnknown;

  bool matches(const IncidentEvent& e) const;
  // A short readable description for signal summaries, e.g. "moderate+ harm".
  std::string describe() const;
};

}  // namespace vigil
