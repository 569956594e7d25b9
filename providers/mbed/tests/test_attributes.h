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

// ---- any key type and policy --------------------------------------------------
using Algorithm = psa_algorithm::Algorithm;
using KeyType = psa_key_attributes::KeyType;
using Family = psa_key_attributes::KeyType_EccFamily;
using Cipher = psa_algorithm::Algorithm_Cipher;
using AeadBase = psa_algorithm::Algorithm_Aead_AeadWithDefaultLengthTag;

// Usage flags, combinable with |.
enum Usage : unsigned {
  kExport = 1u << 0,
  kEncrypt = 1u << 1,
  kDecrypt = 1u << 2,
  kSignHash = 1u << 3,
  kVerifyHash = 1u << 4,
  kSignMessage = 1u << 5,
  kVerifyMessage = 1u << 6,
  kDerive = 1u << 7,
  kCrypt = kEncrypt | kDecrypt,
  kSignVerify = kSignHash | kVerifyHash | kSignMessage | kVerifyMessage,
};

psa_key_attributes::KeyAttributes make_key(const KeyType& type, uint32_t bits, const Algorithm& policy,
                                           unsigned usage);

KeyType raw_data_type();
KeyType hmac_type();
KeyType derive_type();
KeyType aes_type();
KeyType camellia_type();
KeyType des_type();
KeyType arc4_type();
KeyType chacha20_type();
KeyType rsa_pair_type();
KeyType rsa_public_type();
KeyType ecc_pair_type(Family f);
KeyType ecc_public_type(Family f);
KeyType dh_pair_type();
KeyType dh_public_type();

Algorithm no_alg();
Algorithm hash_alg(Hash h);
Algorithm sign_alg(const SignAlg& s);
SignAlg ecdsa_any();
SignAlg rsa_pkcs1v15_raw();
Algorithm oaep(Hash h);
Algorithm pkcs1v15_crypt();
Algorithm aead(AeadBase base);
Algorithm aead_short(AeadBase base, uint32_t tag_length);
Algorithm cipher(Cipher c);
Algorithm hmac(Hash h);
Algorithm hmac_truncated(Hash h, uint32_t length);
Algorithm cmac();
Algorithm cmac_truncated(uint32_t length);
Algorithm cbc_mac();
Algorithm ecdh();
Algorithm ffdh();
Algorithm ecdh_hkdf(Hash h);
Algorithm hkdf(Hash h);

}  // namespace parsec::provider::test
