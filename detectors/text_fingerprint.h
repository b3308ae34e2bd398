// What the text_cluster detector derives from a report's description, and
// nothing more: the hashes of its words and a MinHash signature of the set
// of its distinctive words. The description must already be redacted
// (text/redaction.h); no text leaves this module, only hashes (and the words
// the caller asks for by position, for a cluster's top terms).
//
// Words: maximal runs of ASCII letters and digits (bytes of 0x80 and above,
// UTF-8, count as letters), lower-cased; runs that contain a digit (doses,
// times, counts, model numbers), one-letter runs, a short list of English
// stop words and anything inside square brackets (redaction placeholders
// such as "[nhs_number]") are dropped. So "VP-300 pump at 14:05" gives
// "vp", "pump".
//
// Distinctive words: the words not in the background vocabulary (the words
// of everyday reporting: "patient", "harm", ward names, outcome sentences),
// which the detector learns once from the first reports it sees and then
// freezes, so a report's signature never changes under it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <tsl/robin_set.h>

namespace vigil {

// A word's 64-bit hash (FNV-1a of its lower-cased bytes, then mixed).
using TermHash = uint64_t;
// A set of word hashes looked up for every word of every report (the
// background vocabulary): an open-addressing table. Never iterated where
// its order could matter.
using TermSet = tsl::robin_set<TermHash>;

struct TextWords {
  std::vector<TermHash> hashes;         // every kept word, in text order (repeats included)
  std::vector<std::string_view> words;  // the same words as views into the lower-cased text
};

// Splits `redacted` into words (rules above). `lowered` is working space the
// views in `out.words` point into, valid until the next call.
void split_words(std::string_view redacted, std::string& lowered, TextWords& out);
// The same for text already lower-cased (ASCII letters), which the views
// in `out.words` point into.
void split_lowered_words(std::string_view lowered, TextWords& out);

// MinHash over the set of shingles of `words` (runs of `shingle_words`
// consecutive distinctive words; a single word when fewer remain), with
// `size` hash functions. Words whose hash is in `background` are skipped.
// Returns false, leaving `signature` empty, when no distinctive word remains.
bool minhash_signature(const std::vector<TermHash>& words,
                       const TermSet& background, int shingle_words,
                       size_t size, std::vector<uint32_t>& signature);

// The fraction of positions where two signatures of equal size agree: an
// unbiased estimate of the Jaccard similarity of their shingle sets.
double signature_similarity(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b);

// The LSH key of band `band` (rows band*rows .. band*rows+rows-1).
uint64_t band_key(const std::vector<uint32_t>& signature, size_t band, size_t rows);

}  // namespace vigil
