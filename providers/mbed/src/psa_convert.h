// psa_convert.h - the plain PSA model (parsec/psa/*.h) to PSA Crypto values.
//
// Pure functions, thread-safe. The conversions cover every variant of the
// model (not only what the provider serves today), so that new operations
// only need to call them. A value the model allows but the PSA API of Mbed
// TLS 2.28 cannot express (FRP curves) converts to PsaErrorNotSupported; a
// value the wire contract forbids (no key type, a `None` enum, an unknown enum
// number, the `Any` hash outside a key policy, an out-of-range length, an
// algorithm of the wrong family) converts to PsaErrorInvalidArgument. The
// service has normally rejected the latter already; the checks here keep the
// provider safe on its own. Every failure carries a detail saying why.
#pragma once

#include <cstdint>

#include <psa/crypto.h>

#include "parsec/interface/result.h"
#include "parsec/psa/key_attributes.h"
#include "providers/mbed/src/psa_values.h"

namespace parsec::provider::mbed {

using psa::Algorithm;
using psa::KeyAttributes;

// HashWildcard says whether the `Any` hash of a hash-and-sign scheme is
// acceptable: only in a key policy, never in an operation.
enum class HashWildcard { Allowed, Rejected };

Result<psa_algorithm_t> to_psa_hash(psa::Hash hash);
// The family converters refuse an algorithm of another family
// (PsaErrorInvalidArgument).
Result<psa_algorithm_t> to_psa_sign_algorithm(const Algorithm& alg, HashWildcard wildcard);
Result<psa_algorithm_t> to_psa_encryption_algorithm(const Algorithm& alg);
Result<psa_algorithm_t> to_psa_mac_algorithm(const Algorithm& alg);
Result<psa_algorithm_t> to_psa_cipher_algorithm(psa::Cipher alg);
Result<psa_algorithm_t> to_psa_aead_algorithm(const Algorithm& alg);
Result<psa_algorithm_t> to_psa_key_agreement_algorithm(const Algorithm& alg);
Result<psa_algorithm_t> to_psa_key_derivation_algorithm(const Algorithm& alg);
// to_psa_algorithm converts any algorithm; `none` becomes PSA_ALG_NONE.
Result<psa_algorithm_t> to_psa_algorithm(const Algorithm& alg, HashWildcard wildcard);

// to_psa_key_type converts a key type with its curve (ECC types) or group
// (DH types) family; the family is ignored for the other types.
Result<psa_key_type_t> to_psa_key_type(psa::KeyType type, psa::EccFamily family = psa::EccFamily::None,
                                       psa::DhFamily dh_family = psa::DhFamily::Rfc7919);
// to_psa_usage maps the usage flags bit by bit. `cache` has no PSA 2.28
// counterpart (persistent keys are always cached after first use) and is
// dropped.
psa_key_usage_t to_psa_usage(const psa::UsageFlags& flags);

// PsaAttributes owns a psa_key_attributes_t and resets it on release.
class PsaAttributes {
 public:
  PsaAttributes() : attrs_(psa_key_attributes_init()) {}
  ~PsaAttributes() { psa_reset_key_attributes(&attrs_); }
  PsaAttributes(const PsaAttributes&) = delete;
  PsaAttributes& operator=(const PsaAttributes&) = delete;

  psa_key_attributes_t* get() { return &attrs_; }
  const psa_key_attributes_t* get() const { return &attrs_; }

 private:
  psa_key_attributes_t attrs_;
};

// to_psa_attributes fills type, bits, usage flags and the policy algorithm
// (the `any` hash allowed) of `out`; lifetime and id are left to the caller.
Outcome to_psa_attributes(const KeyAttributes& attributes, PsaAttributes& out);

}  // namespace parsec::provider::mbed
