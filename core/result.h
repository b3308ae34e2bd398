// Error values returned across module boundaries.
//
// A failed operation returns an Error describing what went wrong; callers must
// look at every Status/Result (both are [[nodiscard]]).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace vigil {

// Coarse classes of failure that change how a caller reacts.
enum class ErrorKind {
  kInvalidArgument,  // the caller passed something malformed (usage/config)
  kNotFound,         // a looked-up item does not exist
  kIo,               // file system, network or storage failure
  kCorruption,       // stored data cannot be decoded
  kUnavailable,      // a dependency (broker, server) is not reachable now
  kFatal,            // the process cannot continue safely
};

struct Error {
  ErrorKind kind = ErrorKind::kFatal;
  std::string message;
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  static Status ok() { return Status(); }
  bool is_ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }
  const std::string& message() const { return error_.message; }

 private:
  Error error_;
  bool ok_ = true;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return is_ok(); }

  T& value() & {
    assert(is_ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    assert(is_ok());
    return std::get<T>(std::move(v_));
  }
  const T& value() const& {
    assert(is_ok());
    return std::get<T>(v_);
  }
  const Error& error() const {
    assert(!is_ok());
    return std::get<Error>(v_);
  }
  Status status() const { return is_ok() ? Status() : Status(error()); }

 private:
  std::variant<T, Error> v_;
};

inline Error make_error(ErrorKind kind, std::string message) {
  return Error{kind, std::move(message)};
}

}  // namespace vigil
