// bindings/src/error_mapping.h - how the binding facade turns the core's
// exceptions into a parsec::binding::Error (private to bindings/; the unit
// test checks it directly). Stateless; thread-safe.
#pragma once

#include <exception>
#include <new>
#include <utility>

#include "parsec/binding/binding.h"
#include "parsec/client/error.h"
#include "parsec/interface/wire.h"

namespace parsec::binding::detail {

// capture fills `err` from the exception being handled (call it only inside a
// catch block): the core's Error field by field, bad_alloc as
// PsaErrorInsufficientMemory, anything else as PsaErrorGenericError.
inline void capture(Error& err) {
  try {
    throw;
  } catch (const client::Error& e) {
    err.set(static_cast<int>(e.status()), e.operation(), e.detail(), e.from_service());
  } catch (const std::bad_alloc&) {
    err.set(static_cast<int>(Status::PsaErrorInsufficientMemory), "", "out of memory in the client", false);
  } catch (const std::exception& e) {
    err.set(static_cast<int>(Status::PsaErrorGenericError), "", e.what(), false);
  } catch (...) {
    err.set(static_cast<int>(Status::PsaErrorGenericError), "", "unknown failure in the client", false);
  }
}

// guard runs `f`, clearing `err` first; on an exception it fills `err` and
// returns a value-initialised result (empty bytes, false, 0, nullptr).
template <typename F>
auto guard(Error& err, F&& f) -> decltype(f()) {
  err.clear();
  try {
    return std::forward<F>(f)();
  } catch (...) {
    capture(err);
  }
  return decltype(f()){};
}

}  // namespace parsec::binding::detail
