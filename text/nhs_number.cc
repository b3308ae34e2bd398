#include "text/nhs_number.h"

namespace vigil {

bool valid_nhs_number(std::string_view digits) {
  if (digits.size() != 10) return false;
  int sum = 0;
  for (int i = 0; i < 10; ++i) {
    if (digits[i] < '0' || digits[i] > '9') return false;
    if (i < 9) sum += (digits[i] - '0') * (10 - i);
  }
  int check = 11 - sum % 11;
  if (check == 11) check = 0;
  return check != 10 && check == digits[9] - '0';
}

}  // namespace vigil
