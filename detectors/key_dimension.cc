#include "detectors/key_dimension.h"

#include <array>

namespace vigil {
namespace {

struct DimensionName {
  Dimension dimension;
  std::string_view name;
};

constexpr std::array kDimensionNames = {
    DimensionName{Dimension::kCategory, "category"},
    DimensionName{Dimension::kRegion, "region"},
    DimensionName{Dimension::kIcb, "icb"},
    DimensionName{Dimension::kOrg, "org"},
    DimensionName{Dimension::kServiceArea, "service_area"},
    DimensionName{Dimension::kSpecialty, "specialty"},
    DimensionName{Dimension::kRecordType, "record_type"},
    DimensionName{Dimension::kMedication, "medication"},
    DimensionName{Dimension::kDevice, "device"},
    DimensionName{Dimension::kAgent, "agent"},
    DimensionName{Dimension::kEthnicity, "ethnicity"},
    DimensionName{Dimension::kAgeBand, "age_band"},
    DimensionName{Dimension::kSex, "sex"},
    DimensionName{Dimension::kImdQuintile, "imd_quintile"},
};

// Single letters A..Z as views into a static table, so ethnicity needs no buffer.
constexpr std::string_view kLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr std::array<std::string_view, 5> kQuintiles = {"1", "2", "3", "4", "5"};

std::string_view or_unknown(std::string_view v) { return v.empty() ? kUnknownValue : v; }

// A device without a code is known by its product: the model, or failing
// that its name (the one field the contract requires), after the
// manufacturer when one is given. The decoder normalises all three, so one
// product spelt with other case or spacing is one key. A report giving both
// manufacturer and model keeps the key "manufacturer model" it always had.
void append_device_identity(const Device& dev, std::string& out) {
  if (!dev.manufacturer.empty()) {
    out.append(dev.manufacturer);
    out.push_back(' ');
  }
  out.append(dev.model.empty() ? dev.name : dev.model);
}

}  // namespace

std::string_view to_string(Dimension d) {
  for (const auto& n : kDimensionNames) {
    if (n.dimension == d) return n.name;
  }
  return "?";
}

std::optional<Dimension> parse_dimension(std::string_view name) {
  for (const auto& n : kDimensionNames) {
    if (n.name == name) return n.dimension;
  }
  return std::nullopt;
}

bool is_multi_valued(Dimension d) {
  switch (d) {
    case Dimension::kMedication:
    case Dimension::kDevice:
    case Dimension::kAgent:
      return true;
    case Dimension::kCategory:
    case Dimension::kRegion:
    case Dimension::kIcb:
    case Dimension::kOrg:
    case Dimension::kServiceArea:
    case Dimension::kSpecialty:
    case Dimension::kRecordType:
    case Dimension::kEthnicity:
    case Dimension::kAgeBand:
    case Dimension::kSex:
    case Dimension::kImdQuintile:
      return false;
  }
  return false;
}

void dimension_values(const IncidentEvent& e, Dimension d, std::vector<std::string_view>& values,
                      std::string& scratch) {
  switch (d) {
    case Dimension::kCategory: values.push_back(or_unknown(e.category)); return;
    case Dimension::kRegion: values.push_back(or_unknown(e.region)); return;
    case Dimension::kIcb: values.push_back(or_unknown(e.icb)); return;
    case Dimension::kOrg: values.push_back(or_unknown(e.org)); return;
    case Dimension::kServiceArea: values.push_back(or_unknown(e.service_area)); return;
    case Dimension::kSpecialty: values.push_back(or_unknown(e.specialty)); return;
    case Dimension::kRecordType: values.push_back(to_string(e.record_type)); return;
    case Dimension::kMedication:
      for (const auto& m : e.medications) values.push_back(m.code);
      return;
    case Dimension::kDevice:
      for (const auto& dev : e.devices) {
        if (!dev.code.empty()) {
          values.push_back(dev.code);
          continue;
        }
        // for_each_key reserves scratch so these appends never reallocate.
        const size_t start = scratch.size();
        append_device_identity(dev, scratch);
        values.push_back(std::string_view(scratch).substr(start));
      }
      return;
    case Dimension::kAgent:
      for (auto a : e.agents) values.push_back(a);
      return;
    case Dimension::kEthnicity: {
      const char c = e.patient.ethnicity;
      values.push_back(c >= 'A' && c <= 'Z' ? kLetters.substr(static_cast<size_t>(c - 'A'), 1)
                                            : kUnknownValue);
      return;
    }
    case Dimension::kAgeBand: values.push_back(or_unknown(e.patient.age_band)); return;
    case Dimension::kSex: values.push_back(or_unknown(e.patient.sex)); return;
    case Dimension::kImdQuintile: {
      const uint8_t decile = e.patient.imd_decile;
      values.push_back(decile >= 1 && decile <= 10 ? kQuintiles[(decile - 1) / 2] : kUnknownValue);
      return;
    }
  }
}

size_t device_scratch_bytes(const IncidentEvent& e) {
  size_t n = 0;
  for (const auto& dev : e.devices) {
    if (!dev.code.empty()) continue;
    n += dev.manufacturer.size() + 1 + (dev.model.empty() ? dev.name.size() : dev.model.size());
  }
  return n;
}

std::vector<std::pair<std::string, std::string>> key_parts(const std::vector<Dimension>& dims,
                                                          std::string_view key) {
  std::vector<std::pair<std::string, std::string>> parts;
  parts.reserve(dims.size());
  for (Dimension d : dims) {
    const size_t end = key.find(kKeySeparator);
    parts.emplace_back(std::string(to_string(d)), decode_key_part(key.substr(0, end)));
    key = end == std::string_view::npos ? std::string_view() : key.substr(end + 1);
  }
  return parts;
}

}  // namespace vigil
