#include "providers/mbed/tests/test_attributes.h"

namespace parsec::provider::test {
namespace {

psa::KeyAttributes attributes_for(const SignAlg& alg, uint32_t bits) {
  psa::KeyAttributes a;
  a.bits = bits;
  a.flags.sign_hash = true;
  a.flags.verify_hash = true;
  a.flags.sign_message = true;
  a.flags.verify_message = true;
  a.policy = alg;
  return a;
}

}  // namespace

SignAlg ecdsa(Hash h) {
  return Algorithm::ecdsa(h);
}
SignAlg deterministic_ecdsa(Hash h) {
  return Algorithm::deterministic_ecdsa(h);
}
SignAlg rsa_pkcs1v15(Hash h) {
  return Algorithm::rsa_pkcs1v15_sign(h);
}
SignAlg rsa_pss(Hash h) {
  return Algorithm::rsa_pss(h);
}
SignAlg with_any_hash(SignAlg alg) {
  switch (alg.kind()) {
    case psa::AlgorithmKind::Ecdsa:
      return Algorithm::ecdsa(Hash::Any);
    case psa::AlgorithmKind::DeterministicEcdsa:
      return Algorithm::deterministic_ecdsa(Hash::Any);
    case psa::AlgorithmKind::RsaPkcs1v15Sign:
      return Algorithm::rsa_pkcs1v15_sign(Hash::Any);
    case psa::AlgorithmKind::RsaPss:
      return Algorithm::rsa_pss(Hash::Any);
    default:
      return alg;
  }
}

psa::KeyAttributes ecc_key_pair(uint32_t bits, const SignAlg& alg) {
  psa::KeyAttributes a = attributes_for(alg, bits);
  a.type = psa::KeyType::EccKeyPair;
  a.family = Family::SecpR1;
  return a;
}
psa::KeyAttributes ecc_public_key(uint32_t bits, const SignAlg& alg) {
  psa::KeyAttributes a = attributes_for(alg, bits);
  a.type = psa::KeyType::EccPublicKey;
  a.family = Family::SecpR1;
  return a;
}
psa::KeyAttributes rsa_key_pair(uint32_t bits, const SignAlg& alg) {
  psa::KeyAttributes a = attributes_for(alg, bits);
  a.type = psa::KeyType::RsaKeyPair;
  return a;
}
psa::KeyAttributes rsa_public_key(uint32_t bits, const SignAlg& alg) {
  psa::KeyAttributes a = attributes_for(alg, bits);
  a.type = psa::KeyType::RsaPublicKey;
  return a;
}

psa::KeyAttributes make_key(const KeyType& type, uint32_t bits, const Algorithm& policy, unsigned usage) {
  psa::KeyAttributes a;
  a.type = type.kind;
  a.family = type.family;
  a.dh_family = psa::DhFamily::Rfc7919;
  a.bits = bits;
  a.flags.export_ = (usage & kExport) != 0;
  a.flags.encrypt = (usage & kEncrypt) != 0;
  a.flags.decrypt = (usage & kDecrypt) != 0;
  a.flags.sign_hash = (usage & kSignHash) != 0;
  a.flags.verify_hash = (usage & kVerifyHash) != 0;
  a.flags.sign_message = (usage & (kSignMessage | kSignHash)) != 0;  // normalised as the service does
  a.flags.verify_message = (usage & (kVerifyMessage | kVerifyHash)) != 0;
  a.flags.derive = (usage & kDerive) != 0;
  a.policy = policy;
  return a;
}

KeyType raw_data_type() {
  return {psa::KeyType::RawData};
}
KeyType hmac_type() {
  return {psa::KeyType::Hmac};
}
KeyType derive_type() {
  return {psa::KeyType::Derive};
}
KeyType aes_type() {
  return {psa::KeyType::Aes};
}
KeyType camellia_type() {
  return {psa::KeyType::Camellia};
}
KeyType des_type() {
  return {psa::KeyType::Des};
}
KeyType arc4_type() {
  return {psa::KeyType::Arc4};
}
KeyType chacha20_type() {
  return {psa::KeyType::Chacha20};
}
KeyType rsa_pair_type() {
  return {psa::KeyType::RsaKeyPair};
}
KeyType rsa_public_type() {
  return {psa::KeyType::RsaPublicKey};
}
KeyType ecc_pair_type(Family f) {
  return {psa::KeyType::EccKeyPair, f};
}
KeyType ecc_public_type(Family f) {
  return {psa::KeyType::EccPublicKey, f};
}
KeyType dh_pair_type() {
  return {psa::KeyType::DhKeyPair};
}
KeyType dh_public_type() {
  return {psa::KeyType::DhPublicKey};
}

Algorithm no_alg() {
  return Algorithm::none();
}
Algorithm hash_alg(Hash h) {
  return Algorithm::hash(h);
}
Algorithm sign_alg(const SignAlg& s) {
  return s;
}
SignAlg ecdsa_any() {
  return Algorithm::ecdsa_any();
}
SignAlg rsa_pkcs1v15_raw() {
  return Algorithm::rsa_pkcs1v15_sign_raw();
}
Algorithm oaep(Hash h) {
  return Algorithm::rsa_oaep(h);
}
Algorithm pkcs1v15_crypt() {
  return Algorithm::rsa_pkcs1v15_crypt();
}
Algorithm aead(AeadBase base) {
  return Algorithm::aead(base);
}
Algorithm aead_short(AeadBase base, uint32_t tag_length) {
  return Algorithm::aead_shortened_tag(base, tag_length);
}
Algorithm cipher(Cipher c) {
  return Algorithm::cipher(c);
}
Algorithm hmac(Hash h) {
  return Algorithm::hmac(h);
}
Algorithm hmac_truncated(Hash h, uint32_t length) {
  return Algorithm::truncated_mac(Algorithm::hmac(h), length);
}
Algorithm cmac() {
  return Algorithm::cmac();
}
Algorithm cmac_truncated(uint32_t length) {
  return Algorithm::truncated_mac(Algorithm::cmac(), length);
}
Algorithm cbc_mac() {
  return Algorithm::cbc_mac();
}
Algorithm ecdh() {
  return Algorithm::ecdh();
}
Algorithm ffdh() {
  return Algorithm::ffdh();
}
Algorithm ecdh_hkdf(Hash h) {
  return Algorithm::key_agreement_with_derivation(psa::RawKeyAgreement::Ecdh, Algorithm::hkdf(h));
}
Algorithm hkdf(Hash h) {
  return Algorithm::hkdf(h);
}

std::string describe(const psa::KeyAttributes& a) {
  return a.type_to_string() + " bits=" + std::to_string(a.bits) + " policy=" + a.policy.to_string();
}
std::string describe(const Algorithm& a) {
  return a.to_string();
}

}  // namespace parsec::provider::test
