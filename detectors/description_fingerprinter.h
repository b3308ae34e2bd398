// Derives a report's TextFingerprint (core/text_fingerprint.h) from its
// description, where the description is: redact (text/redaction.h), split
// into words (text_fingerprint.h), keep the first kMaxFingerprintWords word
// hashes in text order, and pass the report's distinct words through the
// term reveal gate (term_reveal_gate.h) to learn which words it reveals.
//
// Two owners, one computation, so both paths cluster alike:
//   - the input task when it repartitions (pipeline/partition_task.h): the
//     fingerprint rides to the merge in the repartition record; the gate's
//     state is the input partition's, in kTextGateColumnFamily;
//   - the text_cluster detector in a single task (no repartition), from the
//     description it is given; the gate's state is the detector's.
// Only built when a text_cluster detector is configured.
//
// Nothing of the text outlives a call except hashes and the revealed
// words; the redacted copy and the lower-cased buffer are overwritten by
// the next call.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/text_fingerprint.h"
#include "detectors/term_reveal_gate.h"
#include "detectors/text_fingerprint.h"
#include "state/state_store.h"
#include "text/redaction.h"

namespace vigil {

// The input tasks' gate state.
inline constexpr std::string_view kTextGateColumnFamily = "text_gate";

class DescriptionFingerprinter {
 public:
  // The gate's state keys start with `key_prefix` in `cf`. Fails when the
  // redaction rules cannot be used.
  static Result<DescriptionFingerprinter> make(const RedactionRules& rules, std::string key_prefix,
                                               ColumnFamilyId cf);

  Status restore(const StateStore& store) { return gate_.restore(store); }
  void save(StateBatch& batch) { gate_.save(batch); }

  // Fills `out` (cleared first) from `description`, reported by `org`, and
  // counts the report in the gate. The revealed words' views point into
  // this object, valid until the next call. An empty description gives an
  // empty fingerprint and counts nothing.
  void fingerprint(std::string_view description, std::string_view org, TextFingerprint& out);

  size_t gate_size() const { return gate_.size(); }

 private:
  DescriptionFingerprinter(Redactor redactor, TermRevealGate gate)
      : redactor_(std::move(redactor)), gate_(std::move(gate)) {}

  Redactor redactor_;
  Redactor::Scratch scratch_;
  TermRevealGate gate_;
  std::string lowered_;
  TextWords words_;
  std::vector<uint64_t> distinct_;
  std::vector<uint64_t> revealed_;
};

}  // namespace vigil
