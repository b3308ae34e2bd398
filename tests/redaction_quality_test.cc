// Precision and recall of redaction on a labelled set: the hand-written hard
// cases of tests/fixtures/redaction/hard_cases.txt and synthetic
// descriptions whose planted identifiers are labelled from the planting
// (synthetic/text.cc). Prints the figures per kind (docs/redaction.md quotes
// them) and asserts their floors; VIGIL_REDACTION_VERBOSE=1 also prints each
// miss and false alarm.
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "synthetic/phrases.h"
#include "synthetic/text.h"
#include "text/redaction.h"
#include "text/redaction_defaults.h"

using namespace vigil;

namespace {

constexpr size_t kKinds = 7;
constexpr std::array<std::string_view, kKinds> kKindNames = {
    "nhs", "dob", "postcode", "phone", "email", "record", "name"};

struct Labelled {
  std::string text;
  std::vector<IdentifierSpan> gold;
};

IdentifierKind kind_named(std::string_view name) {
  for (size_t k = 0; k < kKinds; ++k)
    if (kKindNames[k] == name) return static_cast<IdentifierKind>(k);
  BOOST_FAIL("unknown kind in fixture: " << name);
  return IdentifierKind::kNhsNumber;
}

// One fixture line: "\n" is a line break, {{kind:text}} marks an identifier.
Labelled parse_marked(std::string_view line) {
  Labelled out;
  size_t i = 0;
  while (i < line.size()) {
    if (line.substr(i, 2) == "\\n") {
      out.text += '\n';
      i += 2;
    } else if (line.substr(i, 2) == "{{") {
      const size_t colon = line.find(':', i);
      const size_t close = line.find("}}", i);
      BOOST_REQUIRE(colon != std::string_view::npos && close != std::string_view::npos);
      const auto kind = kind_named(line.substr(i + 2, colon - i - 2));
      const size_t begin = out.text.size();
      out.text += line.substr(colon + 1, close - colon - 1);
      out.gold.push_back(IdentifierSpan{begin, out.text.size(), kind});
      i = close + 2;
    } else {
      out.text += line[i++];
    }
  }
  return out;
}

std::vector<Labelled> hard_cases() {
  std::ifstream in(VIGIL_SOURCE_DIR "/tests/fixtures/redaction/hard_cases.txt");
  BOOST_REQUIRE(in.good());
  std::vector<Labelled> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    cases.push_back(parse_marked(line));
  }
  return cases;
}

// Labels a synthetic description from what write_description plants (the
// strings of synthetic/text.cc's append_identifiers), independently of the
// redactor: "Patient <name>" / "Pt <name>" with a placeholder name (labelled
// without its title), "NHS number " + 12 characters, "NHS No: " + 10,
// "DOB " + 10 and "07700 900" + 3 digits.
Labelled label_synthetic(std::string text) {
  Labelled out;
  out.text = std::move(text);
  const std::string& t = out.text;
  auto mark = [&](std::string_view cue, size_t length, IdentifierKind kind) {
    for (size_t at = t.find(cue); at != std::string::npos; at = t.find(cue, at + 1)) {
      const size_t begin = at + (kind == IdentifierKind::kPhoneNumber ? 0 : cue.size());
      out.gold.push_back(IdentifierSpan{begin, begin + length, kind});
    }
  };
  mark("NHS number ", 12, IdentifierKind::kNhsNumber);
  mark("NHS No: ", 10, IdentifierKind::kNhsNumber);
  mark("DOB ", 10, IdentifierKind::kDateOfBirth);
  mark("07700 900", 12, IdentifierKind::kPhoneNumber);
  for (std::string_view name : synthetic::fake_names()) {
    const size_t title = name.find(' ') + 1;
    for (std::string_view cue : {"Patient ", "Pt "}) {
      const std::string planted = std::string(cue) + std::string(name);
      for (size_t at = t.find(planted); at != std::string::npos; at = t.find(planted, at + 1)) {
        const size_t begin = at + cue.size() + title;
        out.gold.push_back(IdentifierSpan{begin, at + planted.size(), IdentifierKind::kPersonName});
      }
    }
  }
  std::sort(out.gold.begin(), out.gold.end(),
            [](const IdentifierSpan& a, const IdentifierSpan& b) { return a.begin < b.begin; });
  return out;
}

// Synthetic descriptions over every category, area, harm and story, some
// multi-line or revised, with and without a drug or device.
std::vector<Labelled> synthetic_cases(size_t count) {
  std::vector<Labelled> cases;
  std::string text;
  for (size_t i = 0; i < count; ++i) {
    synthetic::DescriptionFacts facts;
    facts.category = static_cast<synthetic::Category>(i % synthetic::kCategoryCount);
    facts.area = static_cast<synthetic::ServiceArea>((i / 3) % synthetic::kServiceAreaCount);
    facts.harm = static_cast<PhysicalHarm>((i / 7) % 6);
    facts.story = static_cast<synthetic::Story>((i / 11) % 7);
    if (i % 4 == 1) facts.drug = "insulin";
    if (i % 4 == 2) facts.drug = "Gentamicin";
    if (i % 5 == 3) {
      facts.device_type = "Volumetric infusion pump";
      facts.device_model = "VP-300";
    }
    facts.multi_line = i % 6 == 0;
    facts.revised = i % 13 == 0;
    text.clear();
    synthetic::write_description(facts, 0x5eed0000 + i * 7919, text);
    cases.push_back(label_synthetic(text));
  }
  return cases;
}

struct Tally {
  std::array<size_t, kKinds> gold{}, recalled{}, predicted{}, correct{};
  size_t gold_all = 0, covered_all = 0;  // covered by a span of any kind

  double recall(size_t k) const { return gold[k] ? double(recalled[k]) / gold[k] : 1.0; }
  double precision(size_t k) const { return predicted[k] ? double(correct[k]) / predicted[k] : 1.0; }
  double recall_all() const {
    size_t g = 0, r = 0;
    for (size_t k = 0; k < kKinds; ++k) g += gold[k], r += recalled[k];
    return g ? double(r) / g : 1.0;
  }
  double precision_all() const {
    size_t p = 0, c = 0;
    for (size_t k = 0; k < kKinds; ++k) p += predicted[k], c += correct[k];
    return p ? double(c) / p : 1.0;
  }
};

bool overlaps(const IdentifierSpan& a, const IdentifierSpan& b) {
  return a.begin < b.end && b.begin < a.end;
}

// A gold identifier is recalled when predicted spans cover every byte of it
// and one of them has its kind; a predicted span is correct when it overlaps
// a gold identifier of its kind.
Tally evaluate(const std::vector<Labelled>& cases, const Redactor& redactor, bool verbose,
               std::string_view set) {
  Tally tally;
  for (const Labelled& c : cases) {
    const auto found = redactor.find(c.text);
    for (const IdentifierSpan& g : c.gold) {
      const auto k = static_cast<size_t>(g.kind);
      ++tally.gold[k];
      std::vector<bool> covered(g.end - g.begin, false);
      bool same_kind = false;
      for (const IdentifierSpan& f : found) {
        if (!overlaps(f, g)) continue;
        same_kind |= f.kind == g.kind;
        for (size_t i = std::max(f.begin, g.begin); i < std::min(f.end, g.end); ++i)
          covered[i - g.begin] = true;
      }
      const bool all = std::find(covered.begin(), covered.end(), false) == covered.end();
      tally.covered_all += all;
      ++tally.gold_all;
      if (all && same_kind) {
        ++tally.recalled[k];
      } else if (verbose) {
        std::cout << set << " MISSED " << kKindNames[k] << " '"
                  << c.text.substr(g.begin, g.end - g.begin) << "' in: " << c.text << "\n";
      }
    }
    for (const IdentifierSpan& f : found) {
      const auto k = static_cast<size_t>(f.kind);
      ++tally.predicted[k];
      bool right = false;
      for (const IdentifierSpan& g : c.gold) right |= g.kind == f.kind && overlaps(f, g);
      if (right) {
        ++tally.correct[k];
      } else if (verbose) {
        std::cout << set << " FALSE " << kKindNames[k] << " '"
                  << c.text.substr(f.begin, f.end - f.begin) << "' in: " << c.text << "\n";
      }
    }
  }
  return tally;
}

std::string report(std::string_view set, size_t texts, const Tally& t) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(3);
  out << "redaction quality, " << set << " (" << texts << " descriptions)\n";
  out << "  kind        gold  found  precision  recall\n";
  for (size_t k = 0; k < kKinds; ++k) {
    out << "  " << std::left << std::setw(10) << kKindNames[k] << std::right << std::setw(6)
        << t.gold[k] << std::setw(7) << t.predicted[k] << std::setw(11) << t.precision(k)
        << std::setw(8) << t.recall(k) << "\n";
  }
  out << "  overall   " << std::setw(5) << t.gold_all << std::setw(18) << t.precision_all()
      << std::setw(8) << t.recall_all() << "   (covered by any kind: " << t.covered_all << "/"
      << t.gold_all << ")\n";
  return out.str();
}

bool verbose() {
  const char* v = std::getenv("VIGIL_REDACTION_VERBOSE");
  return v != nullptr && std::string_view(v) == "1";
}

const Redactor& default_redactor() {
  static const Redactor r = Redactor::make(default_redaction_rules()).value();
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(redaction_quality_test)

BOOST_AUTO_TEST_CASE(fixture_is_well_formed) {
  const auto cases = hard_cases();
  BOOST_TEST(cases.size() >= 150u);
  size_t with_identifiers = 0;
  for (const auto& c : cases) with_identifiers += !c.gold.empty();
  BOOST_TEST(with_identifiers >= 80u);
}

BOOST_AUTO_TEST_CASE(hard_cases_precision_and_recall) {
  const auto cases = hard_cases();
  const Tally t = evaluate(cases, default_redactor(), verbose(), "hard");
  const std::string table = report("hand-written hard cases", cases.size(), t);
  std::cout << table;
  BOOST_TEST_MESSAGE(table);
  using K = IdentifierKind;
  auto k = [](K kind) { return static_cast<size_t>(kind); };
  BOOST_TEST(t.recall(k(K::kNhsNumber)) == 1.0);
  BOOST_TEST(t.precision(k(K::kNhsNumber)) >= 0.95);
  BOOST_TEST(t.recall(k(K::kDateOfBirth)) >= 0.9);
  BOOST_TEST(t.recall(k(K::kPostcode)) >= 0.9);
  BOOST_TEST(t.recall(k(K::kPhoneNumber)) >= 0.9);
  BOOST_TEST(t.recall(k(K::kEmailAddress)) >= 0.9);
  BOOST_TEST(t.recall(k(K::kRecordNumber)) >= 0.8);
  BOOST_TEST(t.recall(k(K::kPersonName)) >= 0.85);
  BOOST_TEST(t.precision_all() >= 0.9);
  BOOST_TEST(t.recall_all() >= 0.9);
}

BOOST_AUTO_TEST_CASE(synthetic_precision_and_recall) {
  const auto cases = synthetic_cases(20000);
  const Tally t = evaluate(cases, default_redactor(), verbose(), "synthetic");
  const std::string table = report("synthetic generator", cases.size(), t);
  std::cout << table;
  BOOST_TEST_MESSAGE(table);
  // The planting reaches every kind it writes.
  for (auto kind : {IdentifierKind::kNhsNumber, IdentifierKind::kDateOfBirth,
                    IdentifierKind::kPhoneNumber, IdentifierKind::kPersonName})
    BOOST_TEST(t.gold[static_cast<size_t>(kind)] >= 100u);
  BOOST_TEST(t.recall(static_cast<size_t>(IdentifierKind::kNhsNumber)) == 1.0);
  BOOST_TEST(t.recall_all() == 1.0);
  BOOST_TEST(t.precision_all() >= 0.99);
}

BOOST_AUTO_TEST_SUITE_END()
