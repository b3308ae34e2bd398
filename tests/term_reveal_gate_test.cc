// The term reveal gate and the description fingerprinter: a word is
// revealed by the report that brings it to two reports from two
// organisations, never before, once only; the gate's state holds hashes and
// counts, never a word, and carries on across a restart; the fingerprint is
// the redacted description's word hashes in text order, capped.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "detectors/description_fingerprinter.h"
#include "detectors/term_reveal_gate.h"
#include "detectors/text_fingerprint.h"
#include "tests/test_events.h"
#include "text/redaction_defaults.h"

namespace vigil::testing {
namespace {

constexpr std::string_view kPrefix = "gate/";

struct Gate {
  TempDir dir;
  std::unique_ptr<StateStore> store = open_test_store(dir.sub("state"));
  ColumnFamilyId cf = store->ensure_column_family(kTextGateColumnFamily).value();
  std::optional<DescriptionFingerprinter> fp;
  TextFingerprint text;

  Gate() { reopen(); }
  void reopen() {
    auto made = DescriptionFingerprinter::make(default_redaction_rules(), std::string(kPrefix), cf);
    BOOST_REQUIRE(made.is_ok());
    fp.emplace(std::move(made).value());
    BOOST_REQUIRE(fp->restore(*store).is_ok());
  }
  void save() {
    StateBatch batch = store->new_batch();
    fp->save(batch);
    BOOST_REQUIRE(store->write(batch).is_ok());
  }
  // The words this report reveals, sorted.
  std::vector<std::string> report(std::string_view description, std::string_view org) {
    fp->fingerprint(description, org, text);
    std::vector<std::string> words;
    for (const RevealedWord& w : text.revealed) words.emplace_back(w.word);
    std::sort(words.begin(), words.end());
    return words;
  }
  std::string stored() const {
    std::string all;
    BOOST_REQUIRE(store->scan_prefix(cf, {}, [&](std::string_view k, std::string_view v) {
      all.append(k).append(v);
      return true;
    }).is_ok());
    return all;
  }
};

using Words = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(term_reveal_gate_test)

BOOST_AUTO_TEST_CASE(a_word_is_revealed_at_two_reports_from_two_organisations) {
  Gate g;
  // One organisation, however often, reveals nothing.
  BOOST_TEST(g.report("Glucometer reads high sideways", "RA1").empty());
  BOOST_TEST(g.report("Glucometer reads high again", "RA1").empty());
  // A second organisation reveals the words both used, and only those.
  BOOST_TEST(g.report("Glucometer reads high; Fernleigh unit", "RB2") ==
                 (Words{"glucometer", "high", "reads"}),
             boost::test_tools::per_element());
  // Revealed once: a third organisation carries them no more; "fernleigh"
  // (one report, one organisation so far) and "sideways" (one organisation)
  // wait.
  BOOST_TEST(g.report("Glucometer reads high", "RC3").empty());
  BOOST_TEST(g.report("Fernleigh unit", "RB2") == (Words{}), boost::test_tools::per_element());
  BOOST_TEST(g.report("sideways strips", "RC3") == (Words{"sideways"}), boost::test_tools::per_element());
  BOOST_TEST(g.report("fernleigh", "RA1") == (Words{"fernleigh"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_report_reveals_a_bounded_number_of_short_words) {
  Gate g;
  std::string many;
  for (int i = 0; i < 20; ++i) many += "word" + std::string(1, static_cast<char>('a' + i)) + "x ";
  const std::string long_word(kMaxRevealedWordBytes + 1, 'q');
  g.report(many + long_word, "RA1");
  const Words first = g.report(many + long_word, "RB2");
  BOOST_TEST(first.size() == kMaxRevealsPerReport);
  BOOST_TEST((std::find(first.begin(), first.end(), long_word) == first.end()));
  // The rest go with a later report from another organisation than the first.
  const Words second = g.report(many + long_word, "RB2");
  BOOST_TEST(second.size() == 20u - kMaxRevealsPerReport);
  BOOST_TEST(g.report(many + long_word, "RC3").empty());  // the long word never
}

BOOST_AUTO_TEST_CASE(the_fingerprint_is_the_redacted_words_hashes_capped) {
  Gate g;
  const std::string description =
      "Pump alarmed; Mrs Smith, NHS number 943 476 5919, pump restarted. Pump again.";
  g.fp->fingerprint(description, "RA1", g.text);
  std::string lowered;
  TextWords words;
  split_words(Redactor::make(default_redaction_rules()).value().redact(description), lowered, words);
  BOOST_TEST(g.text.word_hashes == words.hashes, boost::test_tools::per_element());
  BOOST_TEST(g.text.word_hashes.size() >= 5u);  // repeats kept, in text order
  std::string longer;
  for (int i = 0; i < 100; ++i) longer += "alpha beta ";
  g.fp->fingerprint(longer, "RA1", g.text);
  BOOST_TEST(g.text.word_hashes.size() == kMaxFingerprintWords);
  g.fp->fingerprint("", "RA1", g.text);
  BOOST_TEST(g.text.word_hashes.empty());
  BOOST_TEST(g.text.revealed.empty());
}

BOOST_AUTO_TEST_CASE(state_survives_a_restart_and_holds_no_word) {
  Gate g;
  BOOST_TEST(g.report("Fernleigh glucometer", "RA1").empty());
  g.save();
  g.reopen();
  BOOST_TEST(g.fp->gate_size() == 2u);
  // Seen by RA1 before the restart: RA1 again reveals nothing, RB2 does.
  BOOST_TEST(g.report("glucometer", "RA1").empty());
  BOOST_TEST(g.report("glucometer", "RB2") == (Words{"glucometer"}), boost::test_tools::per_element());
  g.save();
  g.reopen();
  BOOST_TEST(g.report("glucometer", "RC3").empty());  // revealed stays revealed
  const std::string stored = g.stored();
  BOOST_TEST(!stored.empty());
  BOOST_TEST(stored.find("fernleigh") == std::string::npos);
  BOOST_TEST(stored.find("glucometer") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(organisations_are_told_apart_by_hash) {
  BOOST_TEST(organisation_hash("RA1") != organisation_hash("RB2"));
  BOOST_TEST(organisation_hash("RA1") == organisation_hash("RA1"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace vigil::testing
