// secure_memory.h - wiping secrets before their memory is released (the
// service's spelling of parsec/interface/secret.h).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "parsec/interface/secret.h"

namespace parsec::service {

inline void secure_wipe(void* p, size_t n) { parsec::secure_zero(p, n); }

template <typename T>
void secure_wipe(std::vector<T>& v) {
  parsec::secure_zero(v.data(), v.size() * sizeof(T));
}
inline void secure_wipe(std::string& s) { parsec::secure_zero(s.data(), s.size()); }

}  // namespace parsec::service
