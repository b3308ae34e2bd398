// FNV-1a over bytes: the hash Vigil uses wherever a value must be the same
// on every machine, compiler and standard library (std::hash promises none
// of that): partition and bucket choices, stored fingerprints, random
// streams. Changing it would move stored state, so it never changes.
#pragma once

#include <cstdint>
#include <string_view>

namespace vigil {

inline constexpr uint64_t kFnv1a64Offset = 14695981039346656037ull;
inline constexpr uint64_t kFnv1a64Prime = 1099511628211ull;

constexpr uint32_t fnv1a_32(std::string_view bytes) {
  uint32_t h = 2166136261u;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

constexpr uint64_t fnv1a_64(std::string_view bytes) {
  uint64_t h = kFnv1a64Offset;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnv1a64Prime;
  }
  return h;
}

// The published test vectors: the empty string and "a".
static_assert(fnv1a_32("") == 2166136261u && fnv1a_32("a") == 0xe40c292cu);
static_assert(fnv1a_64("") == 14695981039346656037ull && fnv1a_64("a") == 0xaf63dc4c8601ec8cull);

}  // namespace vigil
