// SHA-256 of a byte string (OpenSSL), as lowercase hex: what a truncated
// dead letter carries so that its original can be recognised
// (sinks/dead_letter_fit.h).
#pragma once

#include <string>
#include <string_view>

namespace vigil {

// 64 lowercase hex digits. Linear in the input's size.
std::string sha256_hex(std::string_view bytes);

}  // namespace vigil
