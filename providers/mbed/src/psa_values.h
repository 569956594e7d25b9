// psa_values.h - PSA statuses to wire statuses (with a detail naming the PSA
// error) and key references to PSA key ids.
//
// Only the declaration-free PSA headers are included, so files that need no
// PSA call (mbed_crypto_provider, psa_core) stay clear of <psa/crypto.h>.
// (The provider once had to keep <psa/crypto.h> and the generated protobuf
// namespaces psa_sign_hash... apart; on the plain PSA model (parsec::psa) that
// clash is gone.) Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <psa/crypto_types.h>
#include <psa/crypto_values.h>

#include "parsec/interface/result.h"

namespace parsec::provider::mbed {

using Bytes = std::vector<uint8_t>;

// status_from_psa maps a psa_status_t to the wire Status 1000 - status
// (PSA_ERROR_NOT_PERMITTED -133 -> PsaErrorNotPermitted 1133). A value with no
// defined PSA wire status maps to PsaErrorGenericError.
Status status_from_psa(psa_status_t s);

// psa_status_name names a psa_status_t ("PSA_ERROR_INVALID_SIGNATURE"), or
// "PSA status <n>" for a value Mbed TLS 2.28 does not define.
std::string psa_status_name(psa_status_t s);

// psa_failure is the Failure for a PSA call `what` ("psa_sign_hash") that
// answered `s`: status_from_psa(s), with the call and PSA error as detail.
Failure psa_failure(const char* what, psa_status_t s);

// key_ref_from_id encodes a PSA key id as the provider's key reference: 4
// bytes, little-endian.
Bytes key_ref_from_id(psa_key_id_t id);
// key_id_from_ref decodes a key reference; nullopt unless it is 4 bytes naming
// an id in [PSA_KEY_ID_USER_MIN, PSA_KEY_ID_USER_MAX].
std::optional<psa_key_id_t> key_id_from_ref(const Bytes& ref);

}  // namespace parsec::provider::mbed
