// test_attributes.h - builders for key attributes and algorithms on the plain
// PSA model (parsec/psa/*.h), named as the tests read best.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "parsec/psa/key_attributes.h"

namespace parsec::provider::test {

// A signature algorithm is an Algorithm of the asymmetric signature family.
using SignAlg = psa::Algorithm;
using Hash = psa::Hash;

SignAlg ecdsa(Hash h);
SignAlg deterministic_ecdsa(Hash h);
SignAlg rsa_pkcs1v15(Hash h);
SignAlg rsa_pss(Hash h);
// with_any_hash replaces the hash of a hash-and-sign scheme by the wildcard.
SignAlg with_any_hash(SignAlg alg);

// Key attributes with sign/verify (hash and message) usage and `alg` as policy.
psa::KeyAttributes ecc_key_pair(uint32_t bits, const SignAlg& alg);
psa::KeyAttributes ecc_public_key(uint32_t bits, const SignAlg& alg);
psa::KeyAttributes rsa_key_pair(uint32_t bits, const SignAlg& alg);
psa::KeyAttributes rsa_public_key(uint32_t bits, const SignAlg& alg);

// ---- any key type and policy --------------------------------------------------
using Algorithm = psa::Algorithm;
using Family = psa::EccFamily;
using Cipher = psa::Cipher;
using AeadBase = psa::AeadAlgorithm;

// KeyType is a key type with its curve family (ECC types; the DH types use
// the RFC 7919 groups): the part of KeyAttributes that names the type.
struct KeyType {
  psa::KeyType kind = psa::KeyType::None;
  Family family = Family::None;
};

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

psa::KeyAttributes make_key(const KeyType& type, uint32_t bits, const Algorithm& policy, unsigned usage);

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
// sign_alg: a signature algorithm as a policy (the identity on this model).
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

// describe renders attributes or an algorithm for test failure messages.
std::string describe(const psa::KeyAttributes& a);
std::string describe(const Algorithm& a);

}  // namespace parsec::provider::test

// Names for gtest's messages (found by argument-dependent lookup).
namespace parsec::psa {
inline std::ostream& operator<<(std::ostream& o, Hash h) {
  return o << hash_name(h);
}
inline std::ostream& operator<<(std::ostream& o, Cipher c) {
  return o << cipher_name(c);
}
}  // namespace parsec::psa
