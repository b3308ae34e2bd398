#include "detectors/text_report_entries.h"

#include <algorithm>
#include <map>

#include "core/fnv1a.h"
#include "state/key_encoding.h"

namespace vigil {
namespace {

constexpr char kEntriesTag = 'j';
constexpr char kSequenceTag = 'J';
constexpr char kFormerTag = 'i';  // one key per report, written before
constexpr char kValueVersion = 1;
constexpr uint32_t kDayFlip = 0x80000000u;  // days sort as unsigned big-endian

uint32_t bucket_of(std::string_view id) { return fnv1a_32(id) % kEntryBuckets; }

// Calls visit(id, entry) for each entry of a stored value, in order; false
// when the value does not decode.
template <typename Visit>
bool for_each_entry(std::string_view value, uint64_t max_mask, Visit&& visit) {
  if (value.empty() || value.front() != kValueVersion) return false;
  value.remove_prefix(1);
  while (!value.empty()) {
    const auto id = read_bytes(value);
    const auto cluster = id ? read_varint(value) : std::nullopt;
    const auto mask = cluster ? read_varint(value) : std::nullopt;
    if (!mask || id->empty() || *mask > max_mask) return false;
    visit(*id, TextReportEntries::Entry{*cluster, static_cast<uint32_t>(*mask)});
  }
  return true;
}

}  // namespace

std::string TextReportEntries::day_prefix(char tag, int32_t day) const {
  std::string key = prefix_;
  key.push_back(tag);
  append_u32_be(key, static_cast<uint32_t>(day) ^ kDayFlip);
  return key;
}

Status TextReportEntries::restore(const StateStore& store, uint64_t max_mask) {
  pending_.clear();
  written_.clear();
  expired_days_.clear();
  next_sequence_ = 0;
  std::string value;
  auto found = store.get(cf_, prefix_ + kSequenceTag, value);
  if (!found) return found.error();
  bool ok = true;
  if (found.value()) {
    const auto sequence = read_u64_be(value);
    ok = sequence && value.size() == 8;
    if (ok) next_sequence_ = *sequence;
  }
  Status s = Status::ok();
  if (ok) {
    s = store.scan_prefix(cf_, prefix_ + kEntriesTag, [&](std::string_view k, std::string_view v) {
      ok = k.size() == prefix_.size() + 1 + 4 + 1 + 8 &&
           *read_u64_be(k, k.size() - 8) < next_sequence_ &&
           for_each_entry(v, max_mask, [](std::string_view, const Entry&) {});
      return ok;
    });
  }
  if (s.is_ok() && ok) {
    s = store.scan_prefix(cf_, prefix_ + kFormerTag, [&](std::string_view k, std::string_view v) {
      const auto cluster = read_varint(v);
      const auto mask = cluster ? read_varint(v) : std::nullopt;
      ok = k.size() > prefix_.size() + 5 && mask && v.empty() && *mask <= max_mask;
      return ok;
    });
  }
  if (!s.is_ok()) return s;
  if (!ok) return make_error(ErrorKind::kCorruption, "undecodable per-report text entry");
  return Status::ok();
}

void TextReportEntries::add(int32_t day, std::string_view id, uint64_t cluster, uint32_t mask) {
  Pending& p = pending_.entries.emplace_back(Pending{day, std::string(id), Entry{cluster, mask}});
  pending_.latest[p.id] = pending_.entries.size() - 1;
}

std::optional<TextReportEntries::Entry> TextReportEntries::Unstored::find(int32_t day,
                                                                         std::string_view id) const {
  const auto it = latest.find(id);
  if (it == latest.end()) return std::nullopt;
  // Only the report's latest entry can be in force; one of another day
  // means it has none on `day` among these.
  const Pending& p = entries[it->second];
  if (p.day != day) return std::nullopt;
  return p.entry;
}

std::optional<TextReportEntries::Entry> TextReportEntries::find_stored(int32_t day, std::string_view id,
                                                                      const StateStore& store) const {
  std::string prefix = day_prefix(kEntriesTag, day);
  prefix.push_back(static_cast<char>(bucket_of(id)));
  std::optional<Entry> last;
  // In sequence order: a later save's entry replaces an earlier one.
  Status s = store.scan_prefix(cf_, prefix, [&](std::string_view, std::string_view v) {
    for_each_entry(v, UINT64_MAX, [&](std::string_view entry_id, const Entry& e) {
      if (entry_id == id) last = e;
    });
    return true;
  });
  if (!s.is_ok()) return std::nullopt;
  if (last) return last;
  std::string former = day_prefix(kFormerTag, day);
  former.append(id);
  std::string value;
  auto found = store.get(cf_, former, value);
  if (!found || !found.value()) return std::nullopt;
  std::string_view in = value;
  const auto cluster = read_varint(in);
  const auto mask = cluster ? read_varint(in) : std::nullopt;
  if (!mask) return std::nullopt;
  return Entry{*cluster, static_cast<uint32_t>(*mask)};
}

std::optional<TextReportEntries::Entry> TextReportEntries::take_back(int32_t day, std::string_view id,
                                                                    const StateStore* store) {
  std::optional<Entry> entry;
  if (pending_.latest.contains(id)) {
    entry = pending_.find(day, id);
  } else if (written_.latest.contains(id)) {
    entry = written_.find(day, id);
  } else if (store != nullptr) {
    entry = find_stored(day, id, *store);
  }
  if (!entry || entry->cluster == 0) return std::nullopt;
  add(day, id, 0, 0);  // taken back: no later lookup finds it in force
  return entry;
}

void TextReportEntries::save(StateBatch& batch, int32_t horizon) {
  for (const int32_t day : expired_days_) {
    batch.erase_prefix(cf_, day_prefix(kEntriesTag, day));
    batch.erase_prefix(cf_, day_prefix(kFormerTag, day));
  }
  expired_days_.clear();
  // One value per day and bucket, entries in the order added.
  std::map<std::pair<int32_t, uint32_t>, std::string> values;
  for (const Pending& p : pending_.entries) {
    if (p.day < horizon) continue;
    std::string& value = values[{p.day, bucket_of(p.id)}];
    if (value.empty()) value.push_back(kValueVersion);
    append_bytes(value, p.id);
    append_varint(value, p.entry.cluster);
    append_varint(value, p.entry.mask);
  }
  if (!values.empty()) {
    std::string key;
    for (const auto& [where, value] : values) {
      key = day_prefix(kEntriesTag, where.first);
      key.push_back(static_cast<char>(where.second));
      append_u64_be(key, next_sequence_);
      batch.put(cf_, key, value);
    }
    ++next_sequence_;
    std::string sequence;
    append_u64_be(sequence, next_sequence_);
    batch.put(cf_, prefix_ + kSequenceTag, sequence);
  }
  std::swap(written_, pending_);
  pending_.clear();
}

}  // namespace vigil
