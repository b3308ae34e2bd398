// Small helpers over SQLiteCpp statements for the review store: cached
// statements that reset when a use ends, and NaN and variant bindings.
#pragma once

#include <SQLiteCpp/Statement.h>

#include <cmath>
#include <limits>
#include <variant>
#include <vector>

#include "review/queue_filter.h"

namespace vigil {

inline void bind_real(SQLite::Statement& st, int index, double v) {
  if (std::isfinite(v)) {
    st.bind(index, v);
  } else {
    st.bind(index);  // NULL: the method gives no such number
  }
}

inline double real_or_nan(const SQLite::Column& c) {
  return c.isNull() ? std::numeric_limits<double>::quiet_NaN() : c.getDouble();
}

inline void bind_all(SQLite::Statement& st, const std::vector<SqlValue>& bindings) {
  for (size_t i = 0; i < bindings.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    std::visit([&](const auto& v) { st.bind(index, v); }, bindings[i]);
  }
}

// A cached statement in use: reset when the use ends, so that no statement
// keeps a read transaction open (which would stop WAL checkpoints).
class StatementUse {
 public:
  explicit StatementUse(SQLite::Statement& st) : st_(st) {}
  ~StatementUse() { st_.tryReset(); }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  SQLite::Statement* operator->() { return &st_; }
  SQLite::Statement& operator*() { return st_; }

 private:
  SQLite::Statement& st_;
};

}  // namespace vigil
