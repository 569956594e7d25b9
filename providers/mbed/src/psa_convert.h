// psa_convert.h - protobuf contract types to PSA Crypto values (PSA side,
// see psa_values.h).
//
// Pure functions, thread-safe. The conversions cover every variant of the
// contracts (not only what the provider serves today), so that new operations
// only need to call them. A value the contract allows but the PSA API of Mbed
// TLS 2.28 cannot express (FRP curves) converts to PsaErrorNotSupported; a
// value the contract forbids (unset oneof, a `..._NONE` enum, an unknown enum
// number, the `any` hash outside a key policy, an out-of-range length)
// converts to PsaErrorInvalidArgument. The service has normally rejected the
// latter already; the checks here keep the provider safe on its own.
#pragma once

#include <cstdint>

#include <psa/crypto.h>

#include "parsec/interface/result.h"
#include "psa_key_attributes.pb.h"
#include "psa_values.h"

namespace parsec::provider::mbed {

using KeyAttributes = psa_key_attributes::KeyAttributes;

// HashWildcard says whether the `any` hash of a hash-and-sign scheme is
// acceptable: only in a key policy, never in an operation.
enum class HashWildcard { Allowed, Rejected };

Result<psa_algorithm_t> to_psa_hash(psa_algorithm::Algorithm_Hash hash);
Result<psa_algorithm_t> to_psa_sign_algorithm(const psa_algorithm::Algorithm_AsymmetricSignature& alg,
                                              HashWildcard wildcard);
Result<psa_algorithm_t> to_psa_encryption_algorithm(
    const psa_algorithm::Algorithm_AsymmetricEncryption& alg);
Result<psa_algorithm_t> to_psa_mac_algorithm(const psa_algorithm::Algorithm_Mac& alg);
Result<psa_algorithm_t> to_psa_cipher_algorithm(psa_algorithm::Algorithm_Cipher alg);
Result<psa_algorithm_t> to_psa_aead_algorithm(const psa_algorithm::Algorithm_Aead& alg);
Result<psa_algorithm_t> to_psa_key_agreement_algorithm(const psa_algorithm::Algorithm_KeyAgreement& alg);
Result<psa_algorithm_t> to_psa_key_derivation_algorithm(
    const psa_algorithm::Algorithm_KeyDerivation& alg);
// to_psa_algorithm converts any algorithm; `none` becomes PSA_ALG_NONE.
Result<psa_algorithm_t> to_psa_algorithm(const psa_algorithm::Algorithm& alg, HashWildcard wildcard);

Result<psa_key_type_t> to_psa_key_type(const psa_key_attributes::KeyType& type);
// to_psa_usage maps the usage flags bit by bit. `cache` has no PSA 2.28
// counterpart (persistent keys are always cached after first use) and is
// dropped.
psa_key_usage_t to_psa_usage(const psa_key_attributes::UsageFlags& flags);

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
Status to_psa_attributes(const KeyAttributes& attributes, PsaAttributes& out);

}  // namespace parsec::provider::mbed
