// The value rules of incident event v1 (contract section 1), one predicate or
// parser per kind of field, free of any JSON library so they can be tested and
// reused (the `validate` command, the synthetic generator) on plain strings.
//
// Every check is a pure function of its argument and allocates nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/incident_event.h"

namespace vigil {

// Report reference: 1 to 64 characters from `[A-Za-z0-9._:-]`.
bool is_valid_event_id(std::string_view text);

// ODS code, `[A-Z0-9]{3,6}`. Used for `org` and also for `icb` and `region`:
// ICB codes (`QWE`), sub-ICB codes (`15N`) and NHS region codes (`Y56`) are
// all ODS codes of this shape, so one rule serves the three fields.
bool is_ods_code(std::string_view text);

// Taxonomy slug, `[a-z0-9_]{1,64}`: service_area, specialty, category, agents.
bool is_slug(std::string_view text);

// dm+d / SNOMED CT concept id: 6 to 18 decimal digits.
bool is_snomed_id(std::string_view text);

// The failure details' wording of the four rules above and of
// has_control_character (below), shared by the decoders.
inline constexpr std::string_view kIdRule = "must be 1 to 64 characters of [A-Za-z0-9._:-]";
inline constexpr std::string_view kOdsRule = "must match [A-Z0-9]{3,6}";
inline constexpr std::string_view kSlugRule = "must match [a-z0-9_]{1,64}";
inline constexpr std::string_view kSnomedRule = "must be a dm+d (SNOMED CT) id of 6 to 18 digits";
inline constexpr std::string_view kControlCharacter = "must not contain control characters";

// Enumerations of the contract. nullopt for anything not spelled exactly as
// the contract lists it (case matters). `unknown` is not an accepted harm:
// an unknown harm is written by leaving the field out.
std::optional<RecordType> parse_record_type(std::string_view text);
std::optional<PhysicalHarm> parse_physical_harm(std::string_view text);
std::optional<PsychologicalHarm> parse_psychological_harm(std::string_view text);

// The contract's spelling of a patient age band (`0-14d` ... `76+`) or sex
// (`female`, `male`, `unknown`, `withheld`), as a view of static storage that
// outlives any message; empty when `text` is not one of them.
std::string_view canonical_age_band(std::string_view text);
std::string_view canonical_patient_sex(std::string_view text);

// NHS ethnic category: one letter `A` to `S`, or `Z` (not stated). The
// contract gives the range A-S, so I, O and Q (which the NHS Data Dictionary
// leaves unused) are accepted too. Returns the letter, or 0 when invalid.
char parse_ethnic_category(std::string_view text);

// Whether `text` holds a control character: C0 (U+0000-U+001F, tab and line
// breaks included), DEL (U+007F) or C1 (U+0080-U+009F, as UTF-8 C2 80-9F).
// Free-text identity fields (device code, name, manufacturer, model;
// medication name) may hold none: they become keys, signal subjects and
// alert labels, and the key encoding's separators are control bytes.
bool has_control_character(std::string_view text);

// How normalise_identity_text folds ASCII letters.
enum class LetterCase : uint8_t { kLower, kUpper };

// Appends the normalised form of `text` (valid UTF-8 without control
// characters) to `out`, so that spellings of one device that differ only in
// case, spacing or typography are one key:
//   - Unicode spaces (U+00A0, U+2000-U+200A, U+202F, U+205F, U+3000) are
//     spaces; zero-width characters (U+200B-U+200D, U+2060, U+FEFF) vanish;
//   - Unicode hyphens and dashes (U+2010-U+2015, U+2212, U+FE58, U+FE63,
//     U+FF0D) are '-'; typographic single quotes and primes (U+2018-U+201B,
//     U+2032) are '\''; double ones (U+201C-U+201F, U+2033) are '"';
//   - runs of spaces become one space, and leading and trailing ones go;
//   - ASCII letters are folded to `letter_case` (other letters are kept:
//     full Unicode case folding needs tables this project does not carry).
// The result is never longer than `text`, so a caller can reserve the input's
// size once. Allocates nothing beyond `out`'s growth.
void normalise_identity_text(std::string_view text, LetterCase letter_case, std::string& out);

// The lexical form of a JSON number token (RFC 8259 section 6).
enum class JsonNumberForm : uint8_t {
  kInvalid,     // not a JSON number at all
  kInteger,     // -?(0|[1-9][0-9]*)
  kNonInteger,  // has a fraction or an exponent: 1.5, 1.0, 1e3
};
JsonNumberForm classify_json_number(std::string_view token);

// The value of a token of form kInteger; nullopt when it is outside int64.
// Precondition: classify_json_number(token) == JsonNumberForm::kInteger.
std::optional<int64_t> parse_json_integer(std::string_view token);

}  // namespace vigil
