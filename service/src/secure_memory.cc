#include "secure_memory.h"

#include <cstring>

namespace parsec::service {

void secure_wipe(void* p, size_t n) {
  if (p == nullptr || n == 0) {
    return;
  }
  // explicit_bzero is not optimised away (glibc >= 2.25).
  explicit_bzero(p, n);
}

}  // namespace parsec::service
