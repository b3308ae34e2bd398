#include "state/event_record.h"

#include <algorithm>

#include "state/key_encoding.h"

namespace vigil {
namespace {

constexpr uint8_t kRecordFormatVersion = 1;

enum Flags : uint8_t {
  kNeverEvent = 1,
  kHasOccurredOn = 2,
  kHasPatient = 4,
};
constexpr uint8_t kKnownFlags = kNeverEvent | kHasOccurredOn | kHasPatient;

class Reader {
 public:
  explicit Reader(std::string_view data) : rest_(data) {}

  bool u8(uint8_t& v) {
    if (rest_.empty()) return false;
    v = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return true;
  }
  bool varint(uint64_t& v) {
    const auto r = read_varint(rest_);
    if (!r) return false;
    v = *r;
    return true;
  }
  bool signed_varint(int64_t& v) {
    uint64_t u = 0;
    if (!varint(u)) return false;
    v = zigzag_decode(u);
    return true;
  }
  // A day number, which the encoder writes from a 32-bit Date.
  bool day(Date& d) {
    uint64_t u = 0;
    if (!varint(u)) return false;
    const auto read = read_day(u);
    if (!read) return false;
    d = *read;
    return true;
  }
  bool text(std::string_view& s) {
    const auto bytes = read_bytes(rest_);
    if (!bytes) return false;
    s = *bytes;
    return true;
  }
  bool done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

}  // namespace

void encode_event_record(const IncidentEvent& e, std::string& out) {
  out.push_back(static_cast<char>(kRecordFormatVersion));
  append_varint(out, zigzag_encode(e.revision));
  append_varint(out, zigzag_encode(e.reported_at_unix_seconds));
  append_varint(out, zigzag_encode(e.reported_on.days));
  append_varint(out, zigzag_encode(e.occurred_on.days));
  uint8_t flags = 0;
  if (e.never_event) flags |= kNeverEvent;
  if (e.has_occurred_on) flags |= kHasOccurredOn;
  if (e.has_patient) flags |= kHasPatient;
  out.push_back(static_cast<char>(flags));
  out.push_back(static_cast<char>(e.record_type));
  out.push_back(static_cast<char>(e.physical_harm));
  out.push_back(static_cast<char>(e.psychological_harm));
  append_bytes(out, e.id);
  append_bytes(out, e.org);
  append_bytes(out, e.icb);
  append_bytes(out, e.region);
  append_bytes(out, e.service_area);
  append_bytes(out, e.specialty);
  append_bytes(out, e.category);
  append_varint(out, e.agents.size());
  for (auto a : e.agents) append_bytes(out, a);
  append_varint(out, e.medications.size());
  for (const auto& m : e.medications) {
    append_bytes(out, m.code);
    append_bytes(out, m.name);
  }
  append_varint(out, e.devices.size());
  for (const auto& d : e.devices) {
    append_bytes(out, d.code);
    append_bytes(out, d.name);
    append_bytes(out, d.manufacturer);
    append_bytes(out, d.model);
  }
  append_bytes(out, e.patient.age_band);
  append_bytes(out, e.patient.sex);
  out.push_back(e.patient.ethnicity);
  out.push_back(static_cast<char>(e.patient.imd_decile));
}

bool read_record_revision(std::string_view data, int64_t& revision) {
  Reader r(data);
  uint8_t version = 0;
  return r.u8(version) && version == kRecordFormatVersion && r.signed_varint(revision);
}

bool read_record_last_day(std::string_view data, Date& last_day) {
  Reader r(data);
  uint8_t version = 0;
  int64_t revision = 0, reported_at = 0, reported_on = 0, occurred_on = 0;
  if (!r.u8(version) || version != kRecordFormatVersion || !r.signed_varint(revision) ||
      !r.signed_varint(reported_at) || !r.signed_varint(reported_on) ||
      !r.signed_varint(occurred_on)) {
    return false;
  }
  last_day = Date{static_cast<int32_t>(std::max(reported_on, occurred_on))};
  return true;
}

bool decode_event_record(std::string_view data, IncidentEvent& e) {
  e.clear();
  Reader r(data);
  uint8_t version = 0, flags = 0, record_type = 0, physical = 0, psychological = 0;
  if (!r.u8(version) || version != kRecordFormatVersion) return false;
  // Days beyond 32 bits and unknown flags are refused rather than cut to
  // fit or ignored: the encoder writes neither, so such bytes are corrupt,
  // and accepting them would let two different records decode alike.
  if (!r.signed_varint(e.revision) || !r.signed_varint(e.reported_at_unix_seconds) ||
      !r.day(e.reported_on) || !r.day(e.occurred_on)) {
    return false;
  }
  if (!r.u8(flags) || !r.u8(record_type) || !r.u8(physical) || !r.u8(psychological)) return false;
  if ((flags & ~kKnownFlags) != 0 || record_type > static_cast<uint8_t>(RecordType::kGoodCare) ||
      physical > static_cast<uint8_t>(PhysicalHarm::kFatal) ||
      psychological > static_cast<uint8_t>(PsychologicalHarm::kSevere)) {
    return false;
  }
  e.never_event = flags & kNeverEvent;
  e.has_occurred_on = flags & kHasOccurredOn;
  e.has_patient = flags & kHasPatient;
  e.record_type = static_cast<RecordType>(record_type);
  e.physical_harm = static_cast<PhysicalHarm>(physical);
  e.psychological_harm = static_cast<PsychologicalHarm>(psychological);
  if (!r.text(e.id) || !r.text(e.org) || !r.text(e.icb) || !r.text(e.region) ||
      !r.text(e.service_area) || !r.text(e.specialty) || !r.text(e.category)) {
    return false;
  }
  uint64_t n = 0;
  if (!r.varint(n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view a;
    if (!r.text(a)) return false;
    e.agents.push_back(a);
  }
  if (!r.varint(n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    Medication m;
    if (!r.text(m.code) || !r.text(m.name)) return false;
    e.medications.push_back(m);
  }
  if (!r.varint(n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    Device d;
    if (!r.text(d.code) || !r.text(d.name) || !r.text(d.manufacturer) || !r.text(d.model)) {
      return false;
    }
    e.devices.push_back(d);
  }
  uint8_t ethnicity = 0, imd = 0;
  if (!r.text(e.patient.age_band) || !r.text(e.patient.sex) || !r.u8(ethnicity) || !r.u8(imd)) {
    return false;
  }
  e.patient.ethnicity = static_cast<char>(ethnicity);
  e.patient.imd_decile = imd;
  return r.done();
}

}  // namespace vigil
