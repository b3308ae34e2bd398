#include "detectors/strata_breakdown.h"

#include <algorithm>
#include <array>
#include <string>

namespace vigil {
namespace {

constexpr std::string_view kLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
// Contract section 1's patient.age_band values, youngest first.
constexpr std::array<std::string_view, 12> kAgeBands = {"0-14d", "15-28d", "1-11m", "1-4",
                                                        "5-9",   "10-15",  "16-17", "18-25",
                                                        "26-45", "46-65",  "66-75", "76+"};
constexpr std::array<std::string_view, 4> kSexes = {"female", "male", "unknown", "withheld"};
constexpr std::array<std::string_view, 5> kQuintiles = {"1", "2", "3", "4", "5"};

}  // namespace

Result<StrataLayout> StrataLayout::create(std::vector<Dimension> dimensions) {
  StrataLayout layout;
  for (Dimension d : dimensions) {
    Part part;
    part.dimension = d;
    part.offset = layout.size_;
    switch (d) {
      case Dimension::kEthnicity:
        for (size_t i = 0; i < kLetters.size(); ++i) part.values.push_back(kLetters.substr(i, 1));
        break;
      case Dimension::kAgeBand:
        part.values.assign(kAgeBands.begin(), kAgeBands.end());
        break;
      case Dimension::kSex:
        // "unknown" is also what a missing sex becomes: one slot for both.
        part.values.assign(kSexes.begin(), kSexes.end());
        break;
      case Dimension::kImdQuintile:
        part.values.assign(kQuintiles.begin(), kQuintiles.end());
        break;
      default:
        return make_error(ErrorKind::kInvalidArgument,
                          "strata: " + std::string(to_string(d)) +
                              " is not a patient dimension (ethnicity, imd_quintile, age_band, sex)");
    }
    if (d != Dimension::kSex) part.values.push_back(kUnknownValue);
    layout.size_ += part.values.size();
    layout.parts_.push_back(std::move(part));
  }
  return layout;
}

size_t StrataLayout::slot(const Part& part, const IncidentEvent& e) const {
  const size_t unknown = part.values.size() - (part.dimension == Dimension::kSex ? 2 : 1);
  switch (part.dimension) {
    case Dimension::kEthnicity: {
      const char c = e.patient.ethnicity;
      return c >= 'A' && c <= 'Z' ? static_cast<size_t>(c - 'A') : unknown;
    }
    case Dimension::kImdQuintile: {
      const uint8_t decile = e.patient.imd_decile;
      return decile >= 1 && decile <= 10 ? static_cast<size_t>((decile - 1) / 2) : unknown;
    }
    default: {
      const std::string_view v =
          part.dimension == Dimension::kAgeBand ? e.patient.age_band : e.patient.sex;
      auto it = std::find(part.values.begin(), part.values.end(), v);
      return it == part.values.end() ? unknown : static_cast<size_t>(it - part.values.begin());
    }
  }
}

void StrataLayout::count(const IncidentEvent& event, int sign, std::span<uint32_t> counters) const {
  if (counters.size() < size_) return;
  for (const Part& part : parts_) {
    uint32_t& c = counters[part.offset + slot(part, event)];
    if (sign > 0) {
      ++c;
    } else if (c > 0) {
      --c;
    }
  }
}

std::vector<StratumCounts> StrataLayout::breakdown(std::span<const uint32_t> counters) const {
  std::vector<StratumCounts> out;
  if (counters.size() < size_) return out;
  for (const Part& part : parts_) {
    StratumCounts s;
    s.dimension = std::string(to_string(part.dimension));
    for (size_t i = 0; i < part.values.size(); ++i) {
      const int64_t n = counters[part.offset + i];
      if (n > 0) s.counts.emplace_back(std::string(part.values[i]), n);
    }
    if (apply_disclosure_control(s)) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace vigil
