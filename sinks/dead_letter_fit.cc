#include "sinks/dead_letter_fit.h"

#include <algorithm>

#include "core/sha256.h"

namespace vigil {
namespace {

// A record batch's header (61 bytes) and one record's varints and
// attributes, rounded up generously.
constexpr size_t kFramingBytes = 256;
// Per header: its name's and value's length varints.
constexpr size_t kPerHeaderBytes = 10;
constexpr size_t kMaxKeptKeyBytes = 4096;
constexpr size_t kMaxKeptHeaderValueBytes = 1024;

size_t headers_bytes(const KafkaHeaders& headers) {
  size_t n = 0;
  for (const auto& [name, value] : headers) n += name.size() + value.size() + kPerHeaderBytes;
  return n;
}

// Incompressible data grows under compression: lz4 by at most 1/255 plus a
// few bytes per 64 KiB block, zstd and gzip by less; 1/128 covers them all.
size_t compression_growth(size_t raw) { return raw / 128 + 64; }

}  // namespace

size_t estimated_record_bytes(std::string_view key, std::string_view value, const KafkaHeaders& headers) {
  const size_t raw = key.size() + value.size() + headers_bytes(headers);
  return raw + compression_growth(raw) + kFramingBytes;
}

FittedRecord fit_dead_letter(std::string_view key, std::string_view value, KafkaHeaders headers,
                             size_t max_record_bytes) {
  if (estimated_record_bytes(key, value, headers) <= max_record_bytes) {
    return FittedRecord{key, value, std::move(headers), false};
  }
  FittedRecord out{key, value, std::move(headers), true};
  for (auto& [name, v] : out.headers) {
    if (v.size() > kMaxKeptHeaderValueBytes) v.resize(kMaxKeptHeaderValueBytes);
  }
  out.headers.emplace_back("vigil.original.length", std::to_string(value.size()));
  out.headers.emplace_back("vigil.original.sha256", sha256_hex(value));
  if (key.size() > kMaxKeptKeyBytes) {
    out.headers.emplace_back("vigil.original.key_length", std::to_string(key.size()));
    out.headers.emplace_back("vigil.original.key_sha256", sha256_hex(key));
    out.key = key.substr(0, kMaxKeptKeyBytes);
  }
  // Solve raw + raw/128 + 64 + framing <= limit for the value's share of raw.
  const size_t fixed = out.key.size() + headers_bytes(out.headers);
  const size_t budget = max_record_bytes > kFramingBytes + 64
                            ? (max_record_bytes - kFramingBytes - 64) * 128 / 129
                            : 0;
  const size_t keep = budget > fixed ? std::min(value.size(), budget - fixed) : 0;
  out.value = value.substr(0, keep);
  return out;
}

}  // namespace vigil
