// Percent-encoding for the review application's URLs: query strings of the
// queue's filters, and report ids put into the configured report URL.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil {

// RFC 3986: every byte except unreserved ones (A-Z a-z 0-9 - . _ ~) as %XX.
std::string url_encode(std::string_view text);

// %XX sequences decoded, and '+' as a space when `plus_is_space` (form
// encoding). nullopt for a malformed escape.
std::optional<std::string> url_decode(std::string_view text, bool plus_is_space);

// "a=1&b=x+y" as ordered (name, value) pairs, decoded; pairs without '='
// have an empty value, empty pairs are skipped. nullopt for a malformed
// escape.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_query_string(
    std::string_view query);

}  // namespace vigil
