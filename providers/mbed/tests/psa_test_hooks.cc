#include "providers/mbed/tests/psa_test_hooks.h"

#include <psa/crypto.h>

#include "providers/mbed/src/psa_convert.h"
#include "providers/mbed/src/psa_core.h"

namespace parsec::provider::test {

psa_status_t psa_key_lookup(StorageReader* storage, psa_key_id_t id) {
  mbed::PsaLock lock(storage);
  mbed::PsaAttributes attrs;
  return psa_get_key_attributes(id, attrs.get());
}

void shut_down_psa_core() {
  mbed::PsaLock lock(nullptr);
  mbedtls_psa_crypto_free();
}

}  // namespace parsec::provider::test
