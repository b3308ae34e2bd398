#include "detectors/description_fingerprinter.h"

#include <algorithm>

namespace vigil {

Result<DescriptionFingerprinter> DescriptionFingerprinter::make(const RedactionRules& rules,
                                                                std::string key_prefix,
                                                                ColumnFamilyId cf) {
  auto redactor = Redactor::make(rules);
  if (!redactor) return redactor.error();
  return DescriptionFingerprinter(std::move(redactor).value(),
                                  TermRevealGate(std::move(key_prefix), cf));
}

void DescriptionFingerprinter::fingerprint(std::string_view description, std::string_view org,
                                           TextFingerprint& out) {
  out.clear();
  if (description.empty()) return;
  // Nothing is derived from the text before identifiers are redacted.
  redactor_.redact_into(description, scratch_, lowered_, /*lower_case=*/true);
  split_lowered_words(lowered_, words_);
  const size_t kept = std::min(words_.hashes.size(), kMaxFingerprintWords);
  out.word_hashes.assign(words_.hashes.begin(),
                         words_.hashes.begin() + static_cast<std::ptrdiff_t>(kept));

  // The gate sees the words the fingerprint carries, each once, in hash
  // order: which words a report reveals does not depend on their order.
  distinct_.assign(out.word_hashes.begin(), out.word_hashes.end());
  std::sort(distinct_.begin(), distinct_.end());
  distinct_.erase(std::unique(distinct_.begin(), distinct_.end()), distinct_.end());
  const auto word_of = [&](uint64_t h) {
    const auto at = std::find(words_.hashes.begin(), words_.hashes.begin() + static_cast<std::ptrdiff_t>(kept), h);
    return words_.words[static_cast<size_t>(at - words_.hashes.begin())];
  };
  revealed_.clear();
  gate_.observe(distinct_, organisation_hash(org), kMaxRevealsPerReport,
                [&](uint64_t h) { return word_of(h).size() <= kMaxRevealedWordBytes; }, revealed_);
  for (const uint64_t h : revealed_) out.revealed.push_back(RevealedWord{h, word_of(h)});
}

}  // namespace vigil
