// The text the queue's search looks in: each key part of a signal as
// "dimension=value" and the value's name from the reference tables, one
// per line, in ASCII lower case, so a case-insensitive substring search is
// a plain substring search of the lowered needle. The line breaks keep a
// needle from matching across two parts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/signal.h"
#include "review/reference_names.h"

namespace vigil {

std::string search_text(const std::vector<KeyPart>& key, const ReferenceNames& names);

// ASCII letters lowered; other bytes (UTF-8 included) kept as they are.
std::string lowercase_ascii(std::string_view text);

}  // namespace vigil
