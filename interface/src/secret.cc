#include "parsec/interface/secret.h"

#include <string.h>

namespace parsec {

void secure_zero(void* p, size_t n) {
  if (p != nullptr && n > 0) {
    ::explicit_bzero(p, n);  // glibc: never optimised away
  }
}

void wipe(std::string& s) {
  secure_zero(s.data(), s.size());
  s.clear();
}

void wipe(std::vector<uint8_t>& v) {
  secure_zero(v.data(), v.size());
  v.clear();
}

}  // namespace parsec
