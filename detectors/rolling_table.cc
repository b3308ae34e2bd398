#include "detectors/rolling_table.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/fnv1a.h"
#include "core/signal.h"
#include "state/key_encoding.h"

namespace vigil {
namespace {

// Organisations remembered per key: enough for every trust and ambulance
// service in England many times over, and a bound on memory.
constexpr size_t kMaxOrgs = 4096;

// A double as its 8 bytes in the machine's order, as rows have always held
// the reference.
void append_double(std::string& out, double value) {
  char bits[sizeof(double)];
  std::memcpy(bits, &value, sizeof bits);
  out.append(bits, sizeof bits);
}

bool read_double(std::string_view& in, double& value) {
  if (in.size() < sizeof(double)) return false;
  std::memcpy(&value, in.data(), sizeof(double));
  in.remove_prefix(sizeof(double));
  return true;
}

}  // namespace

uint32_t org_code_hash(std::string_view org) { return fnv1a_32(org); }

RollingTable::RollingTable(std::string detector, int32_t partition, ColumnFamilyId cf,
                           size_t measures, int32_t window)
    : measures_(measures), window_(window), state_(std::move(detector), partition, cf) {}

void RollingTable::trim(Row& row) const {
  const int32_t from = keep_from();
  if (row.first_period >= from) return;
  const int64_t drop_periods = static_cast<int64_t>(from) - row.first_period;
  const auto drop = static_cast<size_t>(drop_periods) * measures_;
  if (drop >= row.counts.size()) {
    row.counts.clear();
  } else {
    row.counts.erase(row.counts.begin(), row.counts.begin() + static_cast<std::ptrdiff_t>(drop));
  }
  row.first_period = from;
  std::erase_if(row.ids, [&](const auto& e) { return e.first < from; });
  std::erase_if(row.orgs, [&](const auto& e) { return e.second < from; });
}

void RollingTable::add(std::string_view key, int32_t period, uint32_t measure_mask, int sign,
                       const IncidentEvent* evidence) {
  if (period < keep_from()) return;  // no window reaches back to it any more
  auto& rows = state_.records();
  auto it = rows.find(key);
  if (it == rows.end()) {
    if (sign < 0) return;
    Row fresh;
    fresh.born = period;
    fresh.first_period = period;
    it = rows.emplace(std::string(key), std::move(fresh)).first;
  }
  Row& row = it->second;
  if (row.erased) {
    row = Row{};
    row.born = period;
    row.first_period = period;
  }
  row.born = std::min(row.born, period);
  trim(row);
  if (row.counts.empty()) row.first_period = period;
  if (period < row.first_period) {
    row.counts.insert(row.counts.begin(),
                      static_cast<size_t>(row.first_period - period) * measures_, 0u);
    row.first_period = period;
  }
  const size_t base = static_cast<size_t>(period - row.first_period) * measures_;
  if (base + measures_ > row.counts.size()) row.counts.resize(base + measures_, 0u);
  for (size_t m = 0; m < measures_; ++m) {
    if ((measure_mask & (1u << m)) == 0) continue;
    uint32_t& c = row.counts[base + m];
    if (sign > 0) {
      ++c;
    } else if (c > 0) {
      --c;
    }
  }
  if (evidence != nullptr) {
    if (sign > 0) {
      row.ids.emplace_back(period, std::string(evidence->id));
      if (row.ids.size() > kMaxEvidenceIds) row.ids.erase(row.ids.begin());
      const uint32_t h = org_code_hash(evidence->org);
      auto pos = std::lower_bound(row.orgs.begin(), row.orgs.end(), std::pair{h, INT32_MIN});
      if (pos != row.orgs.end() && pos->first == h) {
        pos->second = std::max(pos->second, period);
      } else if (row.orgs.size() < kMaxOrgs) {
        row.orgs.insert(pos, {h, period});
      }
    } else {
      // The organisation may have other evidence in the window; it stays.
      auto pos = std::find_if(row.ids.begin(), row.ids.end(),
                              [&](const auto& e) { return e.second == evidence->id; });
      if (pos != row.ids.end()) row.ids.erase(pos);
    }
  }
  mark_dirty(it->first, row);
}

void RollingTable::sum(const Row& row, int32_t from, int32_t to, std::span<int64_t> out) const {
  std::fill(out.begin(), out.end(), 0);
  for (int32_t p = std::max(from, row.first_period); p <= to; ++p) {
    const size_t base = static_cast<size_t>(p - row.first_period) * measures_;
    if (base >= row.counts.size()) break;
    for (size_t m = 0; m < measures_ && m < out.size(); ++m) out[m] += row.counts[base + m];
  }
}

uint32_t RollingTable::count_at(const Row& row, int32_t period, size_t measure) const {
  if (period < row.first_period) return 0;
  const size_t idx = static_cast<size_t>(period - row.first_period) * measures_ + measure;
  return idx < row.counts.size() ? row.counts[idx] : 0;
}

std::vector<std::pair<std::string_view, RollingTable::Row*>> RollingTable::rows_in_order() {
  std::vector<std::pair<std::string_view, Row*>> out;
  out.reserve(state_.records().size());
  for (auto& [key, row] : state_.records()) {
    if (!row.erased) out.emplace_back(key, &row);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

RollingTable::Row* RollingTable::find(std::string_view key) {
  auto it = state_.records().find(key);
  return it == state_.records().end() || it->second.erased ? nullptr : &it->second;
}

std::vector<std::string> RollingTable::evidence_ids(const Row& row, int32_t from,
                                                   int32_t to) const {
  std::vector<std::string> ids;
  for (const auto& [period, id] : row.ids) {
    if (period >= from && period <= to) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

int64_t RollingTable::evidence_orgs(const Row& row, int32_t from) const {
  return std::count_if(row.orgs.begin(), row.orgs.end(),
                       [&](const auto& e) { return e.second >= from; });
}

void RollingTable::record_judgement(std::string_view key, Row& row, const Judgement& judgement) {
  if (row.judged.size() >= kMaxSeriesPoints) {
    row.judged.erase(row.judged.begin(),
                     row.judged.begin() +
                         static_cast<std::ptrdiff_t>(row.judged.size() - kMaxSeriesPoints + 1));
  }
  row.judged.push_back(judgement);
  mark_dirty(key, row);
}

void RollingTable::sweep() {
  for (auto& [key, row] : state_.records()) {
    if (row.erased || row.episode.open || row.known) continue;
    trim(row);
    const bool empty =
        std::all_of(row.counts.begin(), row.counts.end(), [](uint32_t c) { return c == 0; });
    if (empty) {
      row.erased = true;
      mark_dirty(key, row);
    }
  }
}

Status RollingTable::restore(const StateStore& store) {
  return state_.restore(store, [&](std::string_view in, Row& row) { return decode_row(in, row); });
}

void RollingTable::save(StateBatch& batch) {
  state_.save(batch, [&](Row& row, std::string& out) {
    trim(row);
    encode_row(row, out);
  });
}

void RollingTable::encode_row(const Row& row, std::string& out) const {
  append_varint(out, static_cast<uint32_t>(row.born));
  append_varint(out, static_cast<uint32_t>(row.first_period));
  append_varints(out, row.counts);
  append_varint(out, row.ids.size());
  for (const auto& [period, id] : row.ids) {
    append_varint(out, static_cast<uint32_t>(period));
    append_bytes(out, id);
  }
  append_varint(out, row.orgs.size());
  for (const auto& [hash, period] : row.orgs) {
    append_varint(out, hash);
    append_varint(out, static_cast<uint32_t>(period));
  }
  row.episode.encode(out);
  out.push_back(row.known ? 1 : 0);
  append_varint(out, row.known_quiet);
  append_double(out, row.reference);
  // Judgements last, so rows written before they existed still read. Each:
  // its period as the step from the previous one (the first from 0), a byte
  // of flags (bit 0 flagged; bits 1-3: value, expected, threshold follow),
  // then the numbers flagged present: a NaN costs no bytes.
  if (row.judged.empty()) return;
  append_varint(out, row.judged.size());
  int32_t previous = 0;
  for (const Judgement& j : row.judged) {
    append_varint(out, static_cast<uint32_t>(j.period - previous));
    previous = j.period;
    const double numbers[3] = {j.value, j.expected, j.threshold};
    char flags = j.flagged ? 1 : 0;
    for (int i = 0; i < 3; ++i) {
      if (!std::isnan(numbers[i])) flags = static_cast<char>(flags | (2 << i));
    }
    out.push_back(flags);
    for (int i = 0; i < 3; ++i) {
      if (!std::isnan(numbers[i])) append_double(out, numbers[i]);
    }
  }
}

bool RollingTable::decode_row(std::string_view in, Row& row) const {
  const auto as_period = [](uint64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); };
  auto born = read_varint(in);
  auto first = born ? read_varint(in) : std::nullopt;
  if (!first || !read_varints(in, row.counts) || row.counts.size() % measures_ != 0) return false;
  row.born = as_period(*born);
  row.first_period = as_period(*first);
  const bool ids = read_list(in, row.ids, [&](std::string_view& rest, auto& entry) {
    const auto p = read_varint(rest);
    const auto id = p ? read_bytes(rest) : std::nullopt;
    if (!id) return false;
    entry.first = as_period(*p);
    entry.second.assign(*id);
    return true;
  });
  const bool orgs = ids && read_list(in, row.orgs, [&](std::string_view& rest, auto& entry) {
    const auto h = read_varint(rest);
    const auto p = h ? read_varint(rest) : std::nullopt;
    if (!p) return false;
    entry.first = static_cast<uint32_t>(*h);
    entry.second = as_period(*p);
    return true;
  });
  if (!orgs || !row.episode.decode(in) || in.empty()) return false;
  row.known = in.front() != 0;
  in.remove_prefix(1);
  auto quiet = read_varint(in);
  if (!quiet) return false;
  row.known_quiet = static_cast<uint32_t>(*quiet);
  if (!read_double(in, row.reference)) return false;
  if (in.empty()) return true;  // written before judgements were kept
  int32_t previous = 0;
  const bool judged = read_list(in, row.judged, [&](std::string_view& rest, Judgement& j) {
    const auto step = read_varint(rest);
    if (!step || rest.empty()) return false;
    j.period = static_cast<int32_t>(static_cast<uint32_t>(previous) + static_cast<uint32_t>(*step));
    previous = j.period;
    const auto flags = static_cast<unsigned char>(rest.front());
    rest.remove_prefix(1);
    if (flags > 0x0f) return false;
    j.flagged = (flags & 1) != 0;
    double* numbers[3] = {&j.value, &j.expected, &j.threshold};
    for (int i = 0; i < 3; ++i) {
      *numbers[i] = std::numeric_limits<double>::quiet_NaN();
      if ((flags & (2 << i)) != 0 && !read_double(rest, *numbers[i])) return false;
    }
    return true;
  });
  return judged && in.empty() && row.judged.size() <= kMaxSeriesPoints;
}

}  // namespace vigil
