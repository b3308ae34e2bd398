#include "synthetic/report.h"

#include <string_view>

namespace vigil::synthetic {
namespace {

void append_digits(std::string& out, int64_t value, int width) {
  char buf[20];
  int len = 0;
  uint64_t v = value < 0 ? 0 : static_cast<uint64_t>(value);
  do {
    buf[sizeof buf - 1 - len++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0 || len < width);
  out.append(buf + sizeof buf - len, static_cast<size_t>(len));
}

// `sep` then two digits.
void append_two(std::string& out, char sep, int64_t v) {
  const char buf[3] = {sep, static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
  out.append(buf, 3);
}

void append_civil_date(std::string& out, int64_t day) {
  const CivilDate c = civil_from_days(day);
  append_digits(out, c.year, 4);
  append_two(out, '-', c.month);
  append_two(out, '-', c.day);
}

// RFC 3339 in the feed's own style: local time with its offset, UTC with
// milliseconds, or UTC to the second.
void append_timestamp(std::string& out, int64_t utc_ms, FeedProfile profile) {
  const int64_t offset = profile == FeedProfile::kFull ? london_offset_ms(utc_ms) : 0;
  const int64_t local = utc_ms + offset;
  const int64_t day = floor_div(local, kMillisPerDay);
  const int64_t ms = local - day * kMillisPerDay;
  append_civil_date(out, day);
  append_two(out, 'T', ms / 3'600'000);
  append_two(out, ':', ms / 60'000 % 60);
  append_two(out, ':', ms / 1000 % 60);
  if (profile != FeedProfile::kMinimal) {
    out += '.';
    append_digits(out, ms % 1000, 3);
  }
  if (profile == FeedProfile::kFull) {
    out += offset != 0 ? "+01:00" : "+00:00";
  } else {
    out += 'Z';
  }
}

// Catalogue strings (codes, slugs, names) never need escaping: the catalogue
// checks that when it is built. Free text goes through append_json_string.
// `prefix` is the separator, key and opening quote, e.g. `,"org":"`.
void append_field(std::string& out, std::string_view prefix, std::string_view value) {
  out += prefix;
  out += value;
  out += '"';
}

void append_agents(std::string& out, const Report& r) {
  // A category about an agent (a medicine, a device, an IT system, the
  // estate, blood) names it first, by the category's own slug.
  const bool agent_category = r.category == Category::kMedication ||
                              r.category == Category::kDevice ||
                              r.category == Category::kItSystem ||
                              r.category == Category::kEstates || r.category == Category::kBlood;
  const std::string_view first = agent_category ? slug(r.category) : std::string_view{};
  const bool extra_medication = r.category != Category::kMedication && r.medications[0] != kAbsent;
  if (first.empty() && !extra_medication) return;
  out += ",\"agents\":[";
  if (!first.empty()) {
    out += '"';
    out += first;
    out += '"';
  }
  if (extra_medication) out += first.empty() ? "\"medication\"" : ",\"medication\"";
  out += ']';
}

void write_valid(const Report& r, std::string& out, std::string& text) {
  const Catalogue& catalogue = Catalogue::get();
  const Organisation& org = catalogue.orgs()[r.org];
  const bool full = org.profile == FeedProfile::kFull;
  const bool minimal = org.profile == FeedProfile::kMinimal;
  out += "{\"id\":\"LFPSE-";
  append_digits(out, static_cast<int64_t>(r.number), 9);
  out += '"';
  if (r.revision > 0 || full) {
    out += ",\"revision\":";
    append_digits(out, r.revision, 1);
  }
  out += ",\"reported_at\":\"";
  append_timestamp(out, r.reported_ms, org.profile);
  out += '"';
  if (!r.occurred_on_absent) {
    out += ",\"occurred_on\":\"";
    append_civil_date(out, r.occurred);
    out += '"';
  }
  append_field(out, R"(,"org":")", org.code);
  if (!minimal) {
    append_field(out, R"(,"icb":")", catalogue.icbs()[org.icb].code);
    append_field(out, R"(,"region":")", catalogue.regions()[org.region].code);
  }
  append_field(out, R"(,"service_area":")", slug(r.area));
  if (!minimal) append_field(out, R"(,"specialty":")", catalogue.specialties()[r.specialty].slug);
  append_field(out, R"(,"record_type":")", to_string(r.record_type));
  append_field(out, R"(,"category":")", slug(r.category));
  append_agents(out, r);
  if (r.medications[0] != kAbsent) {
    out += ",\"medications\":[";
    for (int i = 0; i < 2 && r.medications[i] != kAbsent; ++i) {
      const MedicationInfo& m = catalogue.medications()[r.medications[i]];
      out += i == 0 ? "{\"code\":\"" : ",{\"code\":\"";
      out += m.code;
      out += "\",\"name\":\"";
      out += m.name;
      out += "\"}";
    }
    out += ']';
  }
  if (r.device_model != kAbsent) {
    const DeviceModel& d = catalogue.device_models()[r.device_model];
    out += ",\"devices\":[{";
    if (!minimal) {
      out += "\"code\":\"";
      out += d.code;
      out += "\",";
    }
    out += "\"name\":\"";
    out += catalogue.device_types()[d.type].name;
    out += '"';
    append_field(out, R"(,"manufacturer":")", d.manufacturer);
    append_field(out, R"(,"model":")", d.model);
    out += "}]";
  }
  if (r.harm != PhysicalHarm::kUnknown)
    append_field(out, R"(,"physical_harm":")", to_string(r.harm));
  if (r.psychological != PsychologicalHarm::kUnknown) {
    append_field(out, R"(,"psychological_harm":")", to_string(r.psychological));
  }
  if (r.never_event) {
    out += ",\"never_event\":true";
  } else if (full && r.record_type == RecordType::kIncident) {
    out += ",\"never_event\":false";
  }
  if (r.age_band != kAbsent) {
    out += ",\"patient\":{\"age_band\":\"";
    out += kAgeBands[r.age_band];
    out += "\",\"sex\":\"";
    out += kSexes[r.sex];
    out += "\",\"ethnicity\":\"";
    out += kEthnicLetters[r.ethnicity];
    out += '"';
    if (r.imd_decile != 0) {
      out += ",\"imd_decile\":";
      append_digits(out, r.imd_decile, 1);
    }
    out += '}';
  }
  if (full) out += ",\"taxonomy_version\":\"5\"";
  // About 3% of reports arrive without free text.
  if (r.text_seed % 32 != 0) {
    DescriptionFacts facts;
    facts.category = r.category;
    facts.area = r.area;
    facts.harm = r.harm;
    facts.story = r.story;
    if (r.medications[0] != kAbsent)
      facts.drug = catalogue.medications()[r.medications[0]].short_name;
    if (r.device_model != kAbsent) {
      const DeviceModel& d = catalogue.device_models()[r.device_model];
      facts.device_type = catalogue.device_types()[d.type].name;
      facts.device_model = d.model;
    }
    facts.multi_line = minimal;
    facts.revised = r.revision > 0;
    text.clear();
    write_description(facts, r.text_seed, text);
    out += ",\"description\":";
    append_json_string(out, text);
  }
  out += '}';
}

// The span of `"key":value` in a line this file wrote: values of the keys we
// corrupt are strings without escapes, numbers or booleans.
struct FieldSpan {
  size_t begin = std::string::npos;  // at the key's opening quote
  size_t value = 0;                  // at the value's first character
  size_t end = 0;                    // one past the value
};

FieldSpan find_field(const std::string& line, std::string_view key) {
  std::string pattern = "\"";
  pattern += key;
  pattern += "\":";
  FieldSpan span;
  const size_t at = line.find(pattern);
  if (at == std::string::npos) return span;
  span.begin = at;
  span.value = at + pattern.size();
  if (line[span.value] == '"') {
    span.end = line.find('"', span.value + 1) + 1;
  } else {
    span.end = line.find_first_of(",}", span.value);
  }
  return span;
}

void replace_value(std::string& line, std::string_view key, std::string_view value) {
  const FieldSpan span = find_field(line, key);
  if (span.begin != std::string::npos) line.replace(span.value, span.end - span.value, value);
}

void corrupt(InvalidKind kind, uint8_t variant, std::string& line) {
  switch (kind) {
    case InvalidKind::kNotJson:
      if (variant % 2 == 0) {
        line.resize(line.size() * 3 / 5);  // cut mid-token, as a torn write would
      } else {
        for (char& c : line) c = c == '"' ? '\'' : c;
      }
      return;
    case InvalidKind::kMissingField: {
      static constexpr std::string_view kRequired[] = {"id", "reported_at", "org", "record_type",
                                                       "category"};
      const FieldSpan span = find_field(line, kRequired[variant % 5]);
      if (span.begin == std::string::npos) return;
      // Take one neighbouring comma with the field: the one after it, or the
      // one before when it is the last field (category can be).
      if (line[span.end] == ',') {
        line.erase(span.begin, span.end + 1 - span.begin);
      } else {
        line.erase(span.begin - 1, span.end - span.begin + 1);
      }
      return;
    }
    case InvalidKind::kWrongType:
      switch (variant % 3) {
        case 0:
          replace_value(line, "id", "4711");
          break;
        case 1:
          replace_value(line, "org", "1234");
          break;
        default: {
          const FieldSpan span = find_field(line, "category");
          if (span.begin != std::string::npos) {
            line.insert(span.end, "]");
            line.insert(span.value, "[");
          }
        }
      }
      return;
    case InvalidKind::kBadValue: {
      static constexpr std::string_view kKeys[] = {"record_type", "record_type", "org", "id"};
      static constexpr std::string_view kValues[] = {"\"near_miss\"", "\"Incident\"", "\"r1x-9\"",
                                                     "\"LFPSE 000000000\""};
      replace_value(line, kKeys[variant % 4], kValues[variant % 4]);
      return;
    }
    case InvalidKind::kBadTimestamp: {
      const FieldSpan span = find_field(line, "reported_at");
      if (span.begin == std::string::npos) return;
      const std::string original = line.substr(span.value + 1, span.end - span.value - 2);
      std::string broken;
      switch (variant % 4) {
        case 0:
          broken = original.substr(0, 19);
          break;  // no zone
        case 1:
          broken = original.substr(0, 5) + "02-30" + original.substr(10);
          break;
        case 2:
          broken = original.substr(0, 11) + "25" + original.substr(13);
          break;
        default:
          broken = original.substr(8, 2) + "/" + original.substr(5, 2) + "/" +
                   original.substr(0, 4) + " " + original.substr(11, 5);
      }
      line.replace(span.value, span.end - span.value, "\"" + broken + "\"");
      return;
    }
    case InvalidKind::kDescriptionTooLong: {
      const size_t at = line.find(",\"description\":");
      line.resize(at == std::string::npos ? line.size() - 1 : at);
      std::string text;
      while (text.size() <= 33 * 1024)
        text += "Free text continues after a copy and paste from the notes. ";
      line += ",\"description\":";
      append_json_string(line, text);
      line += '}';
      return;
    }
  }
}

}  // namespace

CivilDate civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(yoe + era * 400 + (month <= 2)), month, day};
}

int64_t days_from_civil(int year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int64_t london_offset_ms(int64_t utc_ms) {
  // The summer time bounds of the last year asked about, per thread.
  thread_local int64_t cached_year_begin = 1;  // empty range: not yet computed
  thread_local int64_t cached_year_end = 0;
  thread_local int64_t begin = 0;
  thread_local int64_t end = 0;
  if (utc_ms < cached_year_begin || utc_ms >= cached_year_end) {
    const int year = civil_from_days(floor_div(utc_ms, kMillisPerDay)).year;
    const auto last_sunday = [year](unsigned month) {
      const int64_t last = days_from_civil(year, month + 1, 1) - 1;
      return last - (last + 4) % 7;  // 1970-01-01 was a Thursday: (d + 4) % 7 == 0 on Sundays
    };
    begin = last_sunday(3) * kMillisPerDay + 3'600'000;
    end = last_sunday(10) * kMillisPerDay + 3'600'000;
    cached_year_begin = days_from_civil(year, 1, 1) * kMillisPerDay;
    cached_year_end = days_from_civil(year + 1, 1, 1) * kMillisPerDay;
  }
  return utc_ms >= begin && utc_ms < end ? 3'600'000 : 0;
}

void render_report(const Report& report, std::string& out, std::string& scratch) {
  if (report.invalid == kAbsent) {
    write_valid(report, out, scratch);
    return;
  }
  std::string line;
  write_valid(report, line, scratch);
  corrupt(static_cast<InvalidKind>(report.invalid), report.invalid_variant, line);
  out += line;
}

}  // namespace vigil::synthetic
