// secure_memory.h - wiping secrets before their memory is released.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace parsec::service {

// secure_wipe overwrites `n` bytes at `p` in a way the compiler cannot elide.
void secure_wipe(void* p, size_t n);

template <typename T>
void secure_wipe(std::vector<T>& v) {
  secure_wipe(v.data(), v.size() * sizeof(T));
}
inline void secure_wipe(std::string& s) { secure_wipe(s.data(), s.size()); }

}  // namespace parsec::service
