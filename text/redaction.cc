// Placeholder so the layer links while the redaction rules are written; the
// real implementation replaces this file before any release.
#include "text/redaction.h"

namespace vigil {

std::string_view placeholder(IdentifierKind kind) {
  switch (kind) {
    case IdentifierKind::kNhsNumber: return "[nhs_number]";
    case IdentifierKind::kDateOfBirth: return "[date_of_birth]";
    case IdentifierKind::kPostcode: return "[postcode]";
    case IdentifierKind::kPhoneNumber: return "[phone_number]";
    case IdentifierKind::kEmailAddress: return "[email_address]";
    case IdentifierKind::kRecordNumber: return "[record_number]";
    case IdentifierKind::kPersonName: return "[person_name]";
  }
  return "[identifier]";
}

Result<Redactor> Redactor::make(const RedactionRules&) { return Redactor(); }
std::vector<IdentifierSpan> Redactor::find(std::string_view) const { return {}; }
std::string Redactor::redact(std::string_view text) const { return std::string(text); }

}  // namespace vigil
