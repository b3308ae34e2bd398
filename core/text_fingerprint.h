// What survives of a report's description past the input task: the hashes
// of its redacted words and the few single words it reveals, never the
// text (issue 12).
//
// The input task computes it where the description is (detectors/
// description_fingerprinter.h) when some configured detector reads text,
// and it rides to the merge stage in the repartition record (version 5,
// sinks/repartition_record.h), where IncidentEvent::text points at it. In a
// single task the detector computes the same from the description itself.
//
// Word hashes are those of detectors/text_fingerprint.h's split_words: the
// kept words of the redacted description in text order, repeats included,
// at most kMaxFingerprintWords. A hash names a word only to someone who
// already knows the word.
//
// Revealed words: a word travels in clear only in the record of the report
// that lets it through the term reveal gate (used in reports of at least
// two organisations, detectors/term_reveal_gate.h), so no word seen in a
// single organisation's reports leaves the input task. At most
// kMaxRevealsPerReport, each a single redacted word, in hash order (not
// text order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace vigil {

inline constexpr size_t kMaxFingerprintWords = 64;
inline constexpr size_t kMaxRevealsPerReport = 16;
// Longer "words" (run-together strings, encoded data) are never revealed.
inline constexpr size_t kMaxRevealedWordBytes = 40;

struct RevealedWord {
  uint64_t hash = 0;
  std::string_view word;  // a view into whoever filled the fingerprint
};

struct TextFingerprint {
  std::vector<uint64_t> word_hashes;
  std::vector<RevealedWord> revealed;

  void clear() {
    word_hashes.clear();
    revealed.clear();
  }
};

}  // namespace vigil
