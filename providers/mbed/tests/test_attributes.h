// test_attributes.h - builders for key attributes and signature algorithms.
// Only the psa_algorithm / psa_key_attributes contracts are used, so PSA-side
// tests can include it too (see src/psa_values.h).
#pragma once

#include <cstdint>

#include "psa_key_attributes.pb.h"

namespace parsec::provider::test {

using SignAlg = psa_algorithm::Algorithm_AsymmetricSignature;
using Hash = psa_algorithm::Algorithm_Hash;

SignAlg ecdsa(Hash h);
SignAlg deterministic_ecdsa(Hash h);
SignAlg rsa_pkcs1v15(Hash h);
SignAlg rsa_pss(Hash h);
// with_any_hash replaces the hash of a hash-and-sign scheme by the wildcard.
SignAlg with_any_hash(SignAlg alg);

// Key attributes with sign/verify (hash and message) usage and `alg` as policy.
psa_key_attributes::KeyAttributes ecc_key_pair(uint32_t bits, const SignAlg& alg);
psa_key_attributes::KeyAttributes ecc_public_key(uint32_t bits, const SignAlg& alg);
psa_key_attributes::KeyAttributes rsa_key_pair(uint32_t bits, const SignAlg& alg);
psa_key_attributes::KeyAttributes rsa_public_key(uint32_t bits, const SignAlg& alg);

}  // namespace parsec::provider::test
