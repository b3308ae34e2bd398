#include "review/search_text.h"

namespace vigil {

std::string lowercase_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string search_text(const std::vector<KeyPart>& key, const ReferenceNames& names) {
  std::string out;
  for (const auto& [dimension, value] : key) {
    if (!out.empty()) out += '\n';
    out += dimension;
    out += '=';
    out += value;
    if (const auto name = names.name(dimension, value)) {
      out += '\n';
      out += *name;
    }
  }
  return lowercase_ascii(out);
}

}  // namespace vigil
