// Turning a word back into the value it names: the one lookup every parser
// here (configuration, method parameters, contract fields) uses, so that an
// enum's spellings are written once, in its to_string() or in one table.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string_view>

namespace vigil {

// A value and the word it is written as.
template <typename T>
struct Named {
  std::string_view name;
  T value;
};

// The value `table` names `text`; nullopt when it names none.
template <typename T, size_t N>
constexpr std::optional<T> lookup(std::string_view text, const Named<T> (&table)[N]) {
  for (const Named<T>& entry : table) {
    if (entry.name == text) return entry.value;
  }
  return std::nullopt;
}

// The value among `values` whose to_string() is `text`: for enums whose
// spellings live in their to_string(). Values left out of `values` (e.g. a
// kUnknown placeholder) never match.
template <typename Enum>
std::optional<Enum> parse_enum(std::string_view text, std::initializer_list<Enum> values) {
  for (const Enum value : values) {
    if (to_string(value) == text) return value;
  }
  return std::nullopt;
}

}  // namespace vigil
