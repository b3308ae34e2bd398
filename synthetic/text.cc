#include "synthetic/text.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "synthetic/phrases.h"
#include "synthetic/random.h"

namespace vigil::synthetic {
namespace {

std::string_view pick(std::span<const std::string_view> items, SplitMix& rng) {
  return items[rng.below(items.size())];
}

void append_number(std::string& out, uint64_t n, int min_digits = 1) {
  char buf[24];
  int len = 0;
  do {
    buf[sizeof buf - 1 - len++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n > 0 || len < min_digits);
  out.append(buf + sizeof buf - len, static_cast<size_t>(len));
}

// The number slots of templates (phrases.cc): base + step x one of `choices`
// values, drawn uniformly.
struct NumberSlot {
  char slot;
  uint64_t base;
  uint64_t choices;
  uint64_t step;
};
constexpr NumberSlot kNumberSlots[] = {
    {'N', 2, 5, 1},       // a small count
    {'H', 2, 11, 1},      // hours
    {'M', 15, 16, 5},     // minutes
    {'C', 2, 3, 1},       // a pressure ulcer category
    {'L', 1000, 37, 50},  // blood loss (ml)
    {'F', 20, 33, 5},     // over-infused volume (ml)
};

// Fills a template's slots from the facts and the report's own generator.
void expand(std::string_view text, const DescriptionFacts& facts, SplitMix& rng, std::string& out) {
  for (size_t i = 0; i < text.size(); ++i) {
    const size_t slot = text.find('@', i);
    if (slot == std::string_view::npos || slot + 1 >= text.size()) {
      out.append(text.substr(i));
      return;
    }
    out.append(text.substr(i, slot - i));
    i = slot + 1;
    const NumberSlot* number = std::find_if(std::begin(kNumberSlots), std::end(kNumberSlots),
                                            [&](const NumberSlot& n) { return n.slot == text[i]; });
    if (number != std::end(kNumberSlots)) {
      append_number(out, number->base + rng.below(number->choices) * number->step);
      continue;
    }
    switch (text[i]) {
      case 'W':
        out += pick(places(facts.area), rng);
        break;
      case 'T':
        append_number(out, rng.below(24), 2);
        out += ':';
        append_number(out, rng.below(12) * 5, 2);
        break;
      case 'D':
        out += facts.drug.empty() ? std::string_view("the prescribed medicine") : facts.drug;
        break;
      case 'V':
        if (facts.device_model.empty()) {
          out += "The device";
        } else {
          out += facts.device_model;
          out += ' ';
          for (size_t k = 0; k < facts.device_type.size(); ++k) {
            const char c = facts.device_type[k];
            out += k == 0 ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
          }
        }
        break;
      case 'B':
        append_number(out, 1 + rng.below(3));
        out += '.';
        append_number(out, rng.below(10));
        break;
      case 'K':
        out += "6.";
        append_number(out, 1 + rng.below(9));
        break;
      default:
        out += '@';
        out += text[i];
        break;
    }
  }
}

// A fake NHS number in the 999 test range with a valid modulus 11 check digit.
void append_test_nhs_number(std::string& out, SplitMix& rng, bool spaced) {
  for (;;) {
    int digits[10] = {9, 9, 9};
    for (int i = 3; i < 9; ++i) digits[i] = static_cast<int>(rng.below(10));
    int sum = 0;
    for (int i = 0; i < 9; ++i) sum += digits[i] * (10 - i);
    const int check = 11 - sum % 11;
    if (check == 10) continue;  // no valid number with these nine digits
    digits[9] = check == 11 ? 0 : check;
    for (int i = 0; i < 10; ++i) {
      if (spaced && (i == 3 || i == 6)) out += ' ';
      out += static_cast<char>('0' + digits[i]);
    }
    return;
  }
}

void append_date_of_birth(std::string& out, SplitMix& rng) {
  append_number(out, 1 + rng.below(28), 2);
  out += '/';
  append_number(out, 1 + rng.below(12), 2);
  out += '/';
  append_number(out, 1930 + rng.below(76));
}

void append_identifiers(std::string& out, SplitMix& rng) {
  switch (rng.below(5)) {
    case 0:
      out += " Patient ";
      out += pick(fake_names(), rng);
      out += ", NHS number ";
      append_test_nhs_number(out, rng, true);
      out += '.';
      break;
    case 1:
      out += " NHS No: ";
      append_test_nhs_number(out, rng, false);
      break;
    case 2:
      out += " Pt ";
      out += pick(fake_names(), rng);
      out += ", DOB ";
      append_date_of_birth(out, rng);
      out += '.';
      break;
    case 3:
      out += " Daughter contacted on 07700 900";
      append_number(out, rng.below(1000), 3);
      out += '.';
      break;
    default:
      out += " Patient ";
      out += pick(fake_names(), rng);
      out += " (DOB ";
      append_date_of_birth(out, rng);
      out += ", NHS number ";
      append_test_nhs_number(out, rng, true);
      out += ").";
      break;
  }
}

}  // namespace

void write_description(const DescriptionFacts& facts, uint64_t seed, std::string& out) {
  SplitMix rng(seed);
  std::string_view text;
  switch (facts.story) {
    case Story::kRoutine:
    case Story::kFallsCluster:
      text = pick(routine_phrases(care_setting(facts.area), facts.category), rng);
      break;
    case Story::kNeverEvent:
      text = pick(never_event_phrases(facts.category), rng);
      break;
    case Story::kInsulinPen:
    case Story::kPumpOverInfusion:
    case Story::kNeverEventCluster:
    case Story::kMaternityHarm:
      text = pick(story_phrases(facts.story), rng);
      break;
  }
  const size_t start = out.size();
  expand(text, facts, rng, out);
  // A sentence may open with a medicine's name.
  if (out[start] >= 'a' && out[start] <= 'z')
    out[start] = static_cast<char>(out[start] - 'a' + 'A');
  if (facts.story == Story::kFallsCluster) {
    out +=
        " Another fall on this ward this week; enhanced supervision not available due to staffing.";
  }
  out += ' ';
  if (facts.category == Category::kFall &&
      (facts.harm == PhysicalHarm::kModerate || facts.harm == PhysicalHarm::kSevere)) {
    out += pick(fall_injury_phrases(), rng);
  } else {
    out += pick(outcome_phrases(facts.harm), rng);
  }
  if (rng.chance(0.06)) append_identifiers(out, rng);
  if (facts.multi_line) {
    out += "\nImmediate actions: ";
    out += pick(immediate_actions(), rng);
  }
  if (facts.revised)
    out += " Update: harm level reviewed at the patient safety meeting and changed.";
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  out += '"';
  size_t run = 0;  // start of the pending run of characters that need no escape
  size_t i = 0;
  while (i < text.size()) {
    // Skip eight bytes at a time while none is a quote, a backslash or a
    // control character (bytes of 0x80 and above, UTF-8, never match).
    if (i + 8 <= text.size()) {
      uint64_t v;
      std::memcpy(&v, text.data() + i, 8);
      const uint64_t quote = v ^ (kOnes * '"');
      const uint64_t backslash = v ^ (kOnes * '\\');
      const uint64_t special =
          ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) | (v - kOnes * 0x20);
      if ((special & ~v & kHighs) == 0) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(text.data() + run, i - run);
    run = ++i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

}  // namespace vigil::synthetic
