// The NHS number's modulus 11 check (NHS Data Dictionary): weights 10..2 on
// the first nine digits; 11 - (sum mod 11) is the check digit, 11 means 0
// and 10 means the nine digits form no valid number.
#pragma once

#include <string_view>

namespace vigil {

// True when `digits` is exactly ten ASCII digits whose last is the check
// digit of the first nine.
bool valid_nhs_number(std::string_view digits);

}  // namespace vigil
