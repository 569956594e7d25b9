// psa_test_hooks.h - direct looks into the PSA core for tests, without
// pulling <psa/crypto.h> into the test files that use them.
#pragma once

#include <cstdint>

#include <psa/crypto_types.h>

namespace parsec::provider {
class StorageReader;
}  // namespace parsec::provider

namespace parsec::provider::test {

// psa_key_lookup asks PSA for the attributes of key `id`, under the PSA lock
// with reads routed to `storage`: PSA_SUCCESS when the key is cached or
// stored, PSA_ERROR_INVALID_HANDLE (Mbed TLS 2.28) when neither.
psa_status_t psa_key_lookup(StorageReader* storage, psa_key_id_t id);

// shut_down_psa_core frees the PSA core as a process exit would: every key
// slot is wiped. Only call it while no provider instance is alive.
void shut_down_psa_core();

}  // namespace parsec::provider::test
