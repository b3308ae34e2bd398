// The queue's filters (SignalQuery) as the WHERE clause of a query over the
// review store's signals table (review_schema.cc), with its values to bind
// in order. Every value is bound, never written into the SQL.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"
#include "review/review_store.h"

namespace vigil {

using SqlValue = std::variant<int64_t, double, std::string>;

struct SqlFilter {
  std::string where;  // "" or " WHERE ... AND ..."
  std::vector<SqlValue> values;
};

// Errors: kInvalidArgument for a status other than open, resolved or all.
Result<SqlFilter> queue_filter(const SignalQuery& q);

}  // namespace vigil
