// Redaction of patient identifiers in free text (issue 12). Every part of
// Vigil that touches a report's description reads it through a Redactor
// first: identifiers are replaced by a placeholder naming their kind, so
// nothing derived from the text (terms, signatures, signals) can carry one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "text/record_pattern.h"

namespace vigil {

enum class IdentifierKind : uint8_t {
  kNhsNumber,     // 10 digits with a valid modulus 11 check digit, spaced or dashed
  kDateOfBirth,   // a date written where a date of birth would be
  kPostcode,      // a UK postcode
  kPhoneNumber,   // a UK telephone number
  kEmailAddress,
  kRecordNumber,  // a hospital number / MRN matching a configured pattern
  kPersonName,    // a name after a title ("Mrs Smith") or in "patient X" forms
};

// The placeholder that replaces an identifier of `kind`, e.g. "[nhs_number]".
std::string_view placeholder(IdentifierKind kind);

// One identifier found: bytes [begin, end) of the text.
struct IdentifierSpan {
  size_t begin = 0;
  size_t end = 0;
  IdentifierKind kind = IdentifierKind::kNhsNumber;
};

struct RedactionRules {
  // Patterns for local hospital / MRN-style numbers (configurable because
  // every trust writes its own).
  std::vector<std::string> record_number_patterns;
};

class Redactor {
 public:
  // Fails (kInvalidArgument) when a pattern cannot be used.
  static Result<Redactor> make(const RedactionRules& rules);

  // The identifiers in `text`, in order, not overlapping.
  std::vector<IdentifierSpan> find(std::string_view text) const;

  // `text` with every identifier replaced by its placeholder.
  std::string redact(std::string_view text) const;

  // Buffers a caller that redacts report after report keeps, so that no
  // call allocates once they have grown.
  struct Scratch {
    std::vector<IdentifierSpan> spans;
    std::vector<IdentifierSpan> emails;
  };
  // redact() into `out` (replaced), with ASCII letters lower-cased when
  // `lower_case` (what a word splitter would do next, in the same pass).
  void redact_into(std::string_view text, Scratch& scratch, std::string& out,
                   bool lower_case = false) const;

 private:
  void find_into(std::string_view text, std::vector<IdentifierSpan>& out,
                 std::vector<IdentifierSpan>& emails) const;
  // The configured patterns' matches at a token start; false when none.
  bool match_record_number(std::string_view text, size_t pos, size_t next_digit,
                           IdentifierSpan& span) const;

  std::vector<RecordPattern> record_patterns_;
};

}  // namespace vigil
