#include "ingest/invalid_reason.h"

namespace vigil {

std::string_view reason_code(InvalidReason reason) {
  switch (reason) {
    case InvalidReason::kNotJson: return "not_json";
    case InvalidReason::kTooLarge: return "too_large";
    case InvalidReason::kMissingField: return "missing_field";
    case InvalidReason::kWrongType: return "wrong_type";
    case InvalidReason::kBadValue: return "bad_value";
    case InvalidReason::kBadTimestamp: return "bad_timestamp";
    case InvalidReason::kUndeliverable: return "undeliverable";
  }
  return "?";
}

}  // namespace vigil
