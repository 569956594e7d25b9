// parsec/interface/result.h - errors as values on the service path.
//
// Result<T> holds either a T or a non-success wire Status, so an error found
// deep in a provider reaches the client unchanged. It is a small value type;
// not thread-safe beyond what T is.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "parsec/interface/wire.h"

namespace parsec {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status s) : v_(s) { assert(s != Status::Success); }  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  // status returns Success when a value is held.
  Status status() const { return ok() ? Status::Success : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

// PARSEC_TRY evaluates a Status-returning expression and returns it if it is
// not Success.
#define PARSEC_TRY(expr)                       \
  do {                                         \
    ::parsec::Status parsec_try_s_ = (expr);   \
    if (parsec_try_s_ != ::parsec::Status::Success) { \
      return parsec_try_s_;                    \
    }                                          \
  } while (0)

}  // namespace parsec
