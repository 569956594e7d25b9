// parsec/interface/result.h - errors as values on the service path.
//
// A Failure is a non-success wire Status plus a detail for the operator's log
// ("key \"k\" has no sign_hash flag"); the detail never reaches the client and
// never holds a secret. Result<T> holds either a T or a Failure, so an error
// found deep in a provider reaches the client unchanged and its reason reaches
// the log without being passed by hand. Result<void> is the form for
// operations that produce nothing (verify, destroy).
//
// Building a failure from Status::Success is a programming error; it is caught
// in every build type (not only with assertions on) and turned into
// PsaErrorGenericError with a detail saying so, so a bug can never be answered
// as success. Small value types; not thread-safe beyond what T is.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "parsec/interface/wire.h"

namespace parsec {

struct Failure {
  Status code = Status::PsaErrorGenericError;
  std::string detail;

  Failure() = default;
  Failure(Status s, std::string why = {})  // NOLINT(google-explicit-constructor)
      : code(s), detail(std::move(why)) {
    if (code == Status::Success) {
      code = Status::PsaErrorGenericError;
      detail = "internal error: a failure was built from Success" + (detail.empty() ? "" : " (" + detail + ")");
    }
  }
  // A Failure may be returned where only a Status fits (the detail is dropped).
  operator Status() const { return code; }  // NOLINT(google-explicit-constructor)
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status s) : v_(Failure(s)) {}       // NOLINT(google-explicit-constructor)
  Result(Failure f) : v_(std::move(f)) {}    // NOLINT(google-explicit-constructor)
  Result(Status s, std::string detail) : v_(Failure(s, std::move(detail))) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  // status returns Success when a value is held.
  Status status() const { return ok() ? Status::Success : std::get<Failure>(v_).code; }
  // detail is the operator-facing reason of a failure ("" on success).
  const std::string& detail() const {
    static const std::string kNone;
    return ok() ? kNone : std::get<Failure>(v_).detail;
  }
  // failure returns the failure (call only when !ok()).
  const Failure& failure() const { return std::get<Failure>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Failure> v_;
};

// Result<void>: success, or a Failure. Unlike Result<T>, it may be built from
// Status::Success (that is the success value), so Status-returning code and
// Result<void>-returning code interconvert.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Status s) {  // NOLINT(google-explicit-constructor)
    if (s != Status::Success) {
      f_ = Failure(s);
      failed_ = true;
    }
  }
  Result(Failure f) : f_(std::move(f)), failed_(true) {}  // NOLINT(google-explicit-constructor)
  Result(Status s, std::string detail) {
    if (s != Status::Success) {
      f_ = Failure(s, std::move(detail));
      failed_ = true;
    }
  }

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  Status status() const { return failed_ ? f_.code : Status::Success; }
  const std::string& detail() const { return f_.detail; }
  const Failure& failure() const { return f_; }

 private:
  Failure f_;
  bool failed_ = false;
};

using Outcome = Result<void>;

namespace detail {
inline bool try_failed(Status s) {
  return s != Status::Success;
}
template <typename T>
bool try_failed(const Result<T>& r) {
  return !r.ok();
}
inline Failure try_failure(Status s) {
  return Failure(s);
}
template <typename T>
Failure try_failure(const Result<T>& r) {
  return r.failure();
}
}  // namespace detail

// PARSEC_TRY evaluates an expression giving a Status or a Result<...> and, if
// it failed, returns its failure (status and detail) from the calling function.
#define PARSEC_TRY(expr)                                   \
  do {                                                     \
    auto&& parsec_try_r_ = (expr);                         \
    if (::parsec::detail::try_failed(parsec_try_r_)) {     \
      return ::parsec::detail::try_failure(parsec_try_r_); \
    }                                                      \
  } while (0)

}  // namespace parsec
