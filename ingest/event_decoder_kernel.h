// The event decoder's body, compiled once per simdjson kernel by
// event_decoder_<kernel>.cc (see json_kernel.h): EventReader, the contract's
// reading of one document, and the kernel's DecoderKernel.
#pragma once

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "core/check.h"
#include "core/civil_date.h"
#include "ingest/decoder_kernel.h"
#include "ingest/event_decoder.h"
#include "ingest/field_rules.h"
#include "ingest/json_field_reader.h"
#include "ingest/json_message_parser.h"

namespace vigil::VIGIL_JSON_KERNEL {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

// The fields of each object the contract defines. Each enum indexes the name
// table below it; a field's bit in a presence mask is 1 << its index.
enum class TopField : uint8_t {
  kId,
  kRevision,
  kReportedAt,
  kOccurredOn,
  kOrg,
  kIcb,
  kRegion,
  kServiceArea,
  kSpecialty,
  kRecordType,
  kCategory,
  kAgents,
  kMedications,
  kDevices,
  kPhysicalHarm,
  kPsychologicalHarm,
  kNeverEvent,
  kPatient,
  kDescription,
};
constexpr std::array<std::string_view, 19> kTopFields = {
    "id",          "revision",     "reported_at",   "occurred_on",        "org",         "icb",
    "region",      "service_area", "specialty",     "record_type",        "category",    "agents",
    "medications", "devices",      "physical_harm", "psychological_harm", "never_event", "patient",
    "description"};

enum class MedicationField : uint8_t { kCode, kName };
constexpr std::array<std::string_view, 2> kMedicationFields = {"code", "name"};

enum class DeviceField : uint8_t { kCode, kName, kManufacturer, kModel };
constexpr std::array<std::string_view, 4> kDeviceFields = {"code", "name", "manufacturer", "model"};

enum class PatientField : uint8_t { kAgeBand, kSex, kEthnicity, kImdDecile };
constexpr std::array<std::string_view, 4> kPatientFields = {"age_band", "sex", "ethnicity",
                                                            "imd_decile"};

template <typename Enum>
constexpr uint32_t bit(Enum field) {
  return uint32_t{1} << static_cast<unsigned>(field);
}
constexpr uint32_t kRequiredTopFields = bit(TopField::kId) | bit(TopField::kReportedAt) |
                                        bit(TopField::kOrg) | bit(TopField::kRecordType) |
                                        bit(TopField::kCategory);
constexpr uint32_t kRequiredMedicationFields =
    bit(MedicationField::kCode) | bit(MedicationField::kName);
// Contract section 1: a device needs only its name.
constexpr uint32_t kRequiredDeviceFields = bit(DeviceField::kName);

// The fixed phrases of failure details.
constexpr std::string_view kRecordTypeRule = "must be one of incident, outcome, risk, good_care";
constexpr std::string_view kPhysicalHarmRule = "must be one of none, low, moderate, severe, fatal";
constexpr std::string_view kPsychologicalHarmRule = "must be one of none, low, moderate, severe";
constexpr std::string_view kAgeBandRule =
    "must be one of 0-14d, 15-28d, 1-11m, 1-4, 5-9, 10-15, 16-17, 18-25, 26-45, 46-65, "
    "66-75, 76+";
constexpr std::string_view kSexRule = "must be one of female, male, unknown, withheld";
constexpr std::string_view kEthnicityRule = "must be an NHS ethnic category letter A to S, or Z";

constexpr std::string_view kBlankName = "must not be blank";
constexpr std::string_view kLongerThan64 = "longer than 64 bytes";
constexpr std::string_view kLongerThan256 = "longer than 256 bytes";
static_assert(kMaxListItems == 100 && kMaxIdentityTextBytes == 256 && kMaxDeviceCodeBytes == 64 &&
                  kMaxKeyCombinations == 10000,
              "the failure details below spell the limits out");

bool is_age_band(std::string_view text) { return !canonical_age_band(text).empty(); }
bool is_patient_sex(std::string_view text) { return !canonical_patient_sex(text).empty(); }
bool is_ethnic_category(std::string_view text) { return parse_ethnic_category(text) != 0; }

// Reads one document into an IncidentEvent: the event-specific layer over
// JsonFieldReader, which does the strict JSON reading and failure recording.
class EventReader {
 public:
  // Normalised device text is appended to `normalised`, which must have room
  // for the whole message so that views into it stay valid.
  EventReader(IncidentEvent& event, DecodeFailure& failure, std::string& normalised)
      : json_(failure), event_(event), normalised_(normalised) {}

  // Reads the whole document. A simdjson error means it is not one
  // well-formed JSON object; otherwise rejected() tells whether a rule broke.
  error_code read(od::document& doc) {
    od::object root;
    if (const error_code e = doc.get_object().get(root)) {
      not_an_object_ = e == simdjson::INCORRECT_TYPE;
      return e;
    }
    uint32_t present = 0;
    auto handle = [this](size_t f, od::value& v, const FieldPath& path, int depth, Found& found) {
      return read_top_field(static_cast<TopField>(f), v, path, depth, found);
    };
    if (const error_code e = json_.read_fields(root, kTopFields, {}, -1, 1, present, handle)) {
      return e;
    }
    // current_location() fails only at the end of the input.
    if (!doc.current_location().error()) return simdjson::TRAILING_CONTENT;
    if (json_.rejected()) return SUCCESS;
    if (!json_.require(present, kRequiredTopFields, kTopFields, {}, -1)) return SUCCESS;
    const auto at_least_one = [](size_t n) { return n == 0 ? size_t{1} : n; };
    // Each factor is at most kMaxListItems, so the product cannot overflow.
    if (at_least_one(event_.medications.size()) * at_least_one(event_.devices.size()) *
            at_least_one(event_.agents.size()) >
        kMaxKeyCombinations) {
      json_.reject(InvalidReason::kBadValue, {{}, -1, "medications, devices, agents"},
                   "more than 10000 combinations of one of each");
      return SUCCESS;
    }
    if (!event_.has_occurred_on) {
      event_.occurred_on = event_.reported_on;
    } else if (event_.occurred_on.days > event_.reported_on.days + 1) {
      json_.reject(InvalidReason::kBadTimestamp, {{}, -1, "occurred_on"},
                   "more than one day after the date of reported_at");
    }
    return SUCCESS;
  }

  bool rejected() const { return json_.rejected(); }
  bool not_an_object() const { return not_an_object_; }
  std::string_view context() const { return json_.context(); }

 private:
  error_code read_agents(od::value& value, const FieldPath& path, int depth, Found& found) {
    return json_.read_elements(
        value, path, depth, found,
        [this, &path](od::value& item, const FieldPath& item_path, int item_depth) {
          if (static_cast<size_t>(item_path.index) >= kMaxListItems) {
            json_.reject(InvalidReason::kBadValue, path, kTooManyItems);
            return json_.consume(item, item_depth);
          }
          std::string_view slug;
          Found item_found = Found::kRejected;
          const error_code e =
              json_.read_checked(item, item_path, item_depth, is_slug, kSlugRule, slug, item_found);
          if (item_found == Found::kNull) {
            json_.reject(InvalidReason::kWrongType, item_path, "must be a string");
          } else if (item_found == Found::kValue) {
            event_.agents.push_back(slug);
          }
          return e;
        });
  }

  // An array (or null) of objects with the members `names`, the `required`
  // ones present and not null. Each element's members go to
  // `handle(Record&, Field, value, field_path, value_depth, field_found)`;
  // an element read without a failure is appended to `out`.
  template <typename Field, typename Record, size_t N, typename Handler>
  error_code read_records(od::value& value, const FieldPath& path, int depth, Found& found,
                          const std::array<std::string_view, N>& names, uint32_t required,
                          std::vector<Record>& out, Handler&& handle) {
    return json_.read_elements(
        value, path, depth, found,
        [&](od::value& item, const FieldPath& item_path, int item_depth) {
          if (static_cast<size_t>(item_path.index) >= kMaxListItems) {
            json_.reject(InvalidReason::kBadValue, path, kTooManyItems);
            return json_.consume(item, item_depth);
          }
          od::object object;
          bool ok = false;
          if (const error_code e =
                  json_.read_required_object(item, item_path, item_depth, object, ok);
              e || !ok) {
            return e;
          }
          Record record;
          uint32_t present = 0;
          auto read_member = [&](size_t f, od::value& v, const FieldPath& field_path,
                                 int value_depth, Found& field_found) {
            return handle(record, static_cast<Field>(f), v, field_path, value_depth, field_found);
          };
          if (const error_code e = json_.read_fields(object, names, item_path.parent,
                                                     item_path.index, item_depth, present,
                                                     read_member)) {
            return e;
          }
          if (!json_.rejected() &&
              json_.require(present, required, names, item_path.parent, item_path.index)) {
            out.push_back(record);
          }
          return SUCCESS;
        });
  }

  error_code read_medications(od::value& value, const FieldPath& path, int depth, Found& found) {
    return read_records<MedicationField>(
        value, path, depth, found, kMedicationFields, kRequiredMedicationFields,
        event_.medications,
        [this](Medication& medication, MedicationField field, od::value& v, const FieldPath& p,
               int d, Found& field_found) {
          switch (field) {
            case MedicationField::kCode:
              return json_.read_checked(v, p, d, is_snomed_id, kSnomedRule, medication.code,
                                        field_found);
            case MedicationField::kName:
              return read_bounded_text(v, p, d, kMaxIdentityTextBytes, medication.name,
                                       field_found);
          }
          return SUCCESS;
        });
  }

  error_code read_devices(od::value& value, const FieldPath& path, int depth, Found& found) {
    return read_records<DeviceField>(
        value, path, depth, found, kDeviceFields, kRequiredDeviceFields, event_.devices,
        [this](Device& device, DeviceField field, od::value& v, const FieldPath& p, int d,
               Found& field_found) {
          switch (field) {
            case DeviceField::kCode:
              return read_identity(v, p, d, kMaxDeviceCodeBytes, LetterCase::kUpper, device.code,
                                   field_found);
            case DeviceField::kName:
              return read_identity(v, p, d, kMaxIdentityTextBytes, LetterCase::kLower,
                                   device.name, field_found);
            case DeviceField::kManufacturer:
              return read_identity(v, p, d, kMaxIdentityTextBytes, LetterCase::kLower,
                                   device.manufacturer, field_found);
            case DeviceField::kModel:
              return read_identity(v, p, d, kMaxIdentityTextBytes, LetterCase::kLower,
                                   device.model, field_found);
          }
          return SUCCESS;
        });
  }

  // A string of at most `max_bytes` bytes without control characters, else
  // kBadValue.
  error_code read_bounded_text(od::value& value, const FieldPath& path, int depth,
                               size_t max_bytes, std::string_view& out, Found& found) {
    const std::string_view too_long =
        max_bytes == kMaxDeviceCodeBytes ? kLongerThan64 : kLongerThan256;
    std::string_view text;
    const error_code e = json_.read_string(value, path, depth, text, found);
    if (e || found != Found::kValue) return e;
    if (text.size() > max_bytes) {
      found = Found::kRejected;
      json_.reject(InvalidReason::kBadValue, path, too_long);
    } else if (has_control_character(text)) {
      found = Found::kRejected;
      json_.reject(InvalidReason::kBadValue, path, kControlCharacter);
    } else {
      out = text;
    }
    return e;
  }

  // A device identity field: bounded text, normalised into normalised_. A
  // blank result is absent (Found::kNull), except that a blank name breaks
  // its rule.
  error_code read_identity(od::value& value, const FieldPath& path, int depth, size_t max_bytes,
                           LetterCase letter_case, std::string_view& out, Found& found) {
    std::string_view raw;
    const error_code e = read_bounded_text(value, path, depth, max_bytes, raw, found);
    if (e || found != Found::kValue) return e;
    // The decoder reserved the message's size and normalising never
    // lengthens, so this append cannot move earlier views.
    VIGIL_CHECK(normalised_.capacity() - normalised_.size() >= raw.size(),
                "normalised device text outgrew its reservation");
    const size_t start = normalised_.size();
    normalise_identity_text(raw, letter_case, normalised_);
    out = std::string_view(normalised_).substr(start);
    if (out.empty()) {
      if (path.field == kDeviceFields[static_cast<size_t>(DeviceField::kName)]) {
        found = Found::kRejected;
        json_.reject(InvalidReason::kBadValue, path, kBlankName);
      } else {
        found = Found::kNull;
      }
    }
    return e;
  }

  error_code read_patient(od::value& value, const FieldPath& path, int depth, Found& found) {
    if (const error_code e = json_.expect_type(value, od::json_type::object, path, depth,
                                               "must be an object", found);
        e || found != Found::kValue) {
      return e;
    }
    od::object object;
    if (const error_code e = value.get_object().get(object)) return e;
    PatientDetails& patient = event_.patient;
    uint32_t present = 0;
    auto handle = [&](size_t f, od::value& v, const FieldPath& field_path, int value_depth,
                      Found& field_found) -> error_code {
      std::string_view text;
      switch (static_cast<PatientField>(f)) {
        case PatientField::kAgeBand:
          return json_.read_checked(v, field_path, value_depth, is_age_band, kAgeBandRule,
                                    patient.age_band, field_found);
        case PatientField::kSex:
          return json_.read_checked(v, field_path, value_depth, is_patient_sex, kSexRule,
                                    patient.sex, field_found);
        case PatientField::kEthnicity: {
          const error_code e = json_.read_checked(v, field_path, value_depth, is_ethnic_category,
                                                  kEthnicityRule, text, field_found);
          if (field_found == Found::kValue) patient.ethnicity = text[0];
          return e;
        }
        case PatientField::kImdDecile: {
          std::optional<int64_t> decile;
          const error_code e = json_.read_integer(v, field_path, value_depth, decile, field_found);
          if (field_found != Found::kValue) return e;
          if (!decile || *decile < 1 || *decile > 10) {
            field_found = Found::kRejected;
            json_.reject(InvalidReason::kBadValue, field_path, "must be an integer from 1 to 10");
          } else {
            patient.imd_decile = static_cast<uint8_t>(*decile);
          }
          return e;
        }
      }
      return SUCCESS;
    };
    if (const error_code e =
            json_.read_fields(object, kPatientFields, path.field, -1, depth, present, handle)) {
      return e;
    }
    event_.has_patient = true;
    // The table views give age band and sex static lifetime.
    patient.age_band = canonical_age_band(patient.age_band);
    patient.sex = canonical_patient_sex(patient.sex);
    return SUCCESS;
  }

  error_code read_top_field(TopField field, od::value& v, const FieldPath& path, int depth,
                            Found& found) {
    IncidentEvent& ev = event_;
    std::string_view text;
    switch (field) {
      case TopField::kId:
        return json_.read_checked(v, path, depth, is_valid_event_id, kIdRule, ev.id, found);
      case TopField::kRevision: {
        std::optional<int64_t> revision;
        const error_code e = json_.read_integer(v, path, depth, revision, found);
        if (found != Found::kValue) return e;
        if (!revision || *revision < 0) {
          found = Found::kRejected;
          json_.reject(InvalidReason::kBadValue, path,
                       "must be an integer from 0 to 9223372036854775807");
        } else {
          ev.revision = *revision;
        }
        return e;
      }
      case TopField::kReportedAt: {
        const error_code e = json_.read_string(v, path, depth, text, found);
        if (found != Found::kValue) return e;
        if (const std::optional<Timestamp> timestamp = parse_rfc3339(text)) {
          ev.reported_at_unix_seconds = timestamp->unix_seconds;
          ev.reported_on = timestamp->local_date;
        } else {
          found = Found::kRejected;
          json_.reject(InvalidReason::kBadTimestamp, path,
                       "must be an RFC 3339 date-time with a zone, like 2025-03-01T09:30:00Z");
        }
        return e;
      }
      case TopField::kOccurredOn: {
        const error_code e = json_.read_string(v, path, depth, text, found);
        if (found != Found::kValue) return e;
        if (const std::optional<Date> date = parse_date(text)) {
          ev.occurred_on = *date;
          ev.has_occurred_on = true;
        } else {
          found = Found::kRejected;
          json_.reject(InvalidReason::kBadTimestamp, path, "must be a valid date YYYY-MM-DD");
        }
        return e;
      }
      case TopField::kOrg:
        return json_.read_checked(v, path, depth, is_ods_code, kOdsRule, ev.org, found);
      case TopField::kIcb:
        return json_.read_checked(v, path, depth, is_ods_code, kOdsRule, ev.icb, found);
      case TopField::kRegion:
        return json_.read_checked(v, path, depth, is_ods_code, kOdsRule, ev.region, found);
      case TopField::kServiceArea:
        return json_.read_checked(v, path, depth, is_slug, kSlugRule, ev.service_area, found);
      case TopField::kSpecialty:
        return json_.read_checked(v, path, depth, is_slug, kSlugRule, ev.specialty, found);
      case TopField::kRecordType:
        return json_.read_enum(v, path, depth, parse_record_type, kRecordTypeRule, ev.record_type,
                               found);
      case TopField::kCategory:
        return json_.read_checked(v, path, depth, is_slug, kSlugRule, ev.category, found);
      case TopField::kAgents: return read_agents(v, path, depth, found);
      case TopField::kMedications: return read_medications(v, path, depth, found);
      case TopField::kDevices: return read_devices(v, path, depth, found);
      case TopField::kPhysicalHarm:
        return json_.read_enum(v, path, depth, parse_physical_harm, kPhysicalHarmRule,
                               ev.physical_harm, found);
      case TopField::kPsychologicalHarm:
        return json_.read_enum(v, path, depth, parse_psychological_harm, kPsychologicalHarmRule,
                               ev.psychological_harm, found);
      case TopField::kNeverEvent: return json_.read_bool(v, path, depth, ev.never_event, found);
      case TopField::kPatient: return read_patient(v, path, depth, found);
      case TopField::kDescription: {
        const error_code e = json_.read_string(v, path, depth, text, found);
        if (found != Found::kValue) return e;
        if (text.size() > kMaxDescriptionBytes) {
          found = Found::kRejected;
          json_.reject(InvalidReason::kBadValue, path, "longer than 32768 bytes");
        } else {
          ev.description = text;
        }
        return e;
      }
    }
    return SUCCESS;
  }

  JsonFieldReader json_;
  IncidentEvent& event_;
  std::string& normalised_;
  bool not_an_object_ = false;
};

// Decodes with this kernel's On-Demand code, reusing its buffers.
class KernelDecoder final : public DecoderKernel {
 public:
  bool decode(std::string_view message, IncidentEvent& out,
              DecodeFailure& failure) noexcept override;

 private:
  PaddedJsonParser parser_;
  // Normalised device text of the current message; reserved to the message's
  // size, which bounds it (see EventReader::read_identity).
  std::string normalised_;
};

bool KernelDecoder::decode(std::string_view message, IncidentEvent& out,
                           DecodeFailure& failure) noexcept {
  out.clear();
  if (reject_too_large(message, failure)) return false;
  normalised_.clear();
  normalised_.reserve(message.size());
  od::document doc;
  EventReader reader(out, failure, normalised_);
  error_code error = parser_.iterate(message, doc);
  if (!error) error = reader.read(doc);
  if (error) reject_malformed(error, reader.not_an_object(), reader.context(), failure);
  if (error || reader.rejected()) {
    out.clear();
    return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<DecoderKernel> make_decoder_kernel() { return std::make_unique<KernelDecoder>(); }

}  // namespace vigil::VIGIL_JSON_KERNEL
