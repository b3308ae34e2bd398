// What the decoder fuzz targets check of every event a decoder accepts: it
// is whole, every byte of its views readable (ASan checks each read), and the
// per-id record written from it decodes back to the same bytes.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <string>

#include "core/incident_event.h"
#include "state/event_record.h"

namespace vigil::fuzz {

// Aborts (a libFuzzer crash) if `event`'s record does not round-trip.
inline void check_record_round_trip(const IncidentEvent& event) {
  static std::string record, again;
  static IncidentEvent decoded;
  record.clear();
  encode_event_record(event, record);
  if (!decode_event_record(record, decoded)) std::abort();
  again.clear();
  encode_event_record(decoded, again);
  if (again != record) std::abort();
  volatile size_t sum = event.description.size();
  for (char c : event.description) sum = sum + static_cast<unsigned char>(c);
}

}  // namespace vigil::fuzz
