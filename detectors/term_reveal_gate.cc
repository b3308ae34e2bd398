#include "detectors/term_reveal_gate.h"

#include <algorithm>

#include "core/fnv1a.h"
#include "state/key_encoding.h"

namespace vigil {

uint32_t organisation_hash(std::string_view org) { return fnv1a_32(org); }

TermRevealGate::TermRevealGate(std::string key_prefix, ColumnFamilyId cf)
    : key_prefix_(std::move(key_prefix)), cf_(cf) {}

std::string TermRevealGate::key(uint64_t hash) const {
  std::string k = key_prefix_;
  append_u64_be(k, hash);
  return k;
}

Status TermRevealGate::restore(const StateStore& store) {
  entries_.clear();
  dirty_.clear();
  bool corrupt = false;
  Status s = store.scan_prefix(cf_, key_prefix_, [&](std::string_view k, std::string_view v) {
    k.remove_prefix(key_prefix_.size());
    const auto hash = read_u64_be(k);
    const auto reports = read_varint(v);
    const auto org = reports ? read_u32_be(v) : std::nullopt;
    if (!hash || k.size() != 8 || !org || v.size() != 5 ||
        static_cast<unsigned char>(v[4]) > 1) {
      corrupt = true;
      return false;
    }
    entries_[*hash] = Entry{static_cast<uint32_t>(std::min<uint64_t>(*reports, UINT32_MAX)), *org,
                            v[4] == 1};
    return true;
  });
  if (!s.is_ok()) return s;
  if (corrupt) return make_error(ErrorKind::kCorruption, "term reveal gate: undecodable state record");
  return Status::ok();
}

void TermRevealGate::save(StateBatch& batch) {
  std::sort(dirty_.begin(), dirty_.end());
  dirty_.erase(std::unique(dirty_.begin(), dirty_.end()), dirty_.end());
  std::string value;
  for (const uint64_t h : dirty_) {
    const Entry& e = entries_.at(h);
    value.clear();
    append_varint(value, e.reports);
    append_u32_be(value, e.first_org);
    value.push_back(e.revealed ? 1 : 0);
    batch.put(cf_, key(h), value);
  }
  dirty_.clear();
}

}  // namespace vigil
