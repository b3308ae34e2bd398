#include "detectors/text_fingerprint.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "text/char_class.h"

namespace vigil {
namespace {

constexpr uint64_t kFnvOffset = 14695981039346656037ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

uint64_t mix64(uint64_t x) {
  // splitmix64's finaliser: spreads FNV's weak low bits over the word.
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

uint64_t hash_bytes(std::string_view s) {
  uint64_t h = kFnvOffset;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnvPrime;
  }
  return mix64(h);
}

// English function words, and nothing domain-specific: the background
// vocabulary learned from the stream handles the words of everyday reporting.
constexpr std::array<std::string_view, 58> kStopWords = {
    "a",     "about", "after", "all",   "an",    "and",   "any",   "are",  "as",    "at",
    "be",    "been",  "before", "being", "but",  "by",    "can",   "could", "did",  "do",
    "for",   "from",  "had",   "has",   "have",  "he",    "her",   "his",   "if",    "in",
    "into",  "is",    "it",    "its",   "no",    "not",   "of",    "on",    "or",    "our",
    "she",   "so",    "than",  "that",  "the",   "their", "then",  "there", "they",  "this",
    "to",    "was",   "we",    "were",  "which", "while", "with",  "would"};

// Sorted, so a word is looked up by bisection (every word of every report
// is looked up); none is longer than six bytes.
static_assert(std::is_sorted(kStopWords.begin(), kStopWords.end()));
constexpr size_t kLongestStopWord = 6;

// The stop words' hashes, sorted: a word's hash is computed anyway, and
// comparing integers is cheaper than bisecting strings. A hash that matches
// is confirmed on the word itself, so a collision cannot drop a word.
struct StopWordHashes {
  std::array<std::pair<uint64_t, std::string_view>, kStopWords.size()> sorted;
  StopWordHashes() {
    for (size_t i = 0; i < kStopWords.size(); ++i) sorted[i] = {hash_bytes(kStopWords[i]), kStopWords[i]};
    std::sort(sorted.begin(), sorted.end());
  }
};

bool is_stop_word(std::string_view w, uint64_t hash) {
  static const StopWordHashes stop;
  if (w.size() > kLongestStopWord) return false;
  const auto it = std::lower_bound(stop.sorted.begin(), stop.sorted.end(), hash,
                                   [](const auto& entry, uint64_t h) { return entry.first < h; });
  return it != stop.sorted.end() && it->first == hash && it->second == w;
}

bool word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

// Fixed multipliers for the MinHash family h_i(x) = (a_i x + b_i) >> 32:
// drawn once from splitmix64 so every build and machine agrees.
struct HashFamily {
  std::vector<uint64_t> a, b;
  explicit HashFamily(size_t n) {
    uint64_t s = 0x5eed7e47c1a57ull;
    for (size_t i = 0; i < n; ++i) {
      s += 0x9e3779b97f4a7c15ull;
      a.push_back(mix64(s) | 1u);
      s += 0x9e3779b97f4a7c15ull;
      b.push_back(mix64(s));
    }
  }
};

const HashFamily& family(size_t n) {
  static const HashFamily f(256);
  (void)n;
  return f;
}

}  // namespace

void split_words(std::string_view redacted, std::string& lowered, TextWords& out) {
  lowered.assign(redacted);
  for (char& c : lowered) c = text_detail::to_lower(c);
  split_lowered_words(lowered, out);
}

void split_lowered_words(std::string_view lowered, TextWords& out) {
  out.hashes.clear();
  out.words.clear();
  const size_t n = lowered.size();
  size_t i = 0;
  while (i < n) {
    const auto c = static_cast<unsigned char>(lowered[i]);
    if (c == '[') {  // a redaction placeholder: never a word
      const size_t close = lowered.find(']', i);
      i = close == std::string_view::npos ? n : close + 1;
      continue;
    }
    if (!word_byte(c)) {
      ++i;
      continue;
    }
    const size_t start = i;
    bool digit = false;
    while (i < n && word_byte(static_cast<unsigned char>(lowered[i]))) {
      digit = digit || (lowered[i] >= '0' && lowered[i] <= '9');
      ++i;
    }
    const std::string_view w(lowered.data() + start, i - start);
    if (digit || w.size() < 2) continue;
    const uint64_t hash = hash_bytes(w);
    if (is_stop_word(w, hash)) continue;
    out.hashes.push_back(hash);
    out.words.push_back(w);
  }
}

bool minhash_signature(const std::vector<TermHash>& words,
                       const TermSet& background, int shingle_words,
                       size_t size, std::vector<uint32_t>& signature) {
  signature.clear();
  // The distinctive words, in order (a small reused buffer per thread).
  thread_local std::vector<TermHash> kept;
  kept.clear();
  for (const TermHash h : words) {
    if (!background.contains(h)) kept.push_back(h);
  }
  if (kept.empty()) return false;
  const HashFamily& f = family(size);
  signature.assign(size, std::numeric_limits<uint32_t>::max());
  const size_t width = std::min(kept.size(), static_cast<size_t>(std::max(shingle_words, 1)));
  for (size_t start = 0; start + width <= kept.size(); ++start) {
    uint64_t x = kept[start];
    for (size_t k = 1; k < width; ++k) x = mix64(x * kFnvPrime + kept[start + k]);
    for (size_t i = 0; i < size; ++i) {
      const auto v = static_cast<uint32_t>((f.a[i] * x + f.b[i]) >> 32);
      signature[i] = std::min(signature[i], v);
    }
  }
  return true;
}

double signature_similarity(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  if (a.empty() || a.size() != b.size()) return 0;
  size_t same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
  return static_cast<double>(same) / static_cast<double>(a.size());
}

uint64_t band_key(const std::vector<uint32_t>& signature, size_t band, size_t rows) {
  uint64_t h = kFnvOffset ^ (band + 1);
  for (size_t r = 0; r < rows; ++r) h = mix64(h * kFnvPrime + signature[band * rows + r]);
  return h;
}

}  // namespace vigil
