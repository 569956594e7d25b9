// psa_values.h - PSA statuses to wire statuses and key references to PSA key
// ids; safe to include from either side of the provider.
//
// Two sides: <psa/crypto.h> declares C functions named psa_sign_hash,
// psa_generate_key, psa_aead_encrypt... and the operation contracts generate
// C++ namespaces with exactly those names, so no translation unit can see
// both. Files on the PSA side (psa_capabilities, psa_convert, psa_engine) include
// <psa/crypto.h> and only the psa_algorithm / psa_key_attributes contracts;
// files on the contract side (mbed_crypto_provider, psa_core) include
// provider.h and only the declaration-free PSA headers used here.
#pragma once

#include <cstdint>
#include <optional>
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

// key_ref_from_id encodes a PSA key id as the provider's key reference: 4
// bytes, little-endian.
Bytes key_ref_from_id(psa_key_id_t id);
// key_id_from_ref decodes a key reference; nullopt unless it is 4 bytes naming
// an id in [PSA_KEY_ID_USER_MIN, PSA_KEY_ID_USER_MAX].
std::optional<psa_key_id_t> key_id_from_ref(const Bytes& ref);

}  // namespace parsec::provider::mbed
