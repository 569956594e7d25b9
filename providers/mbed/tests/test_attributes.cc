#include "test_attributes.h"

namespace parsec::provider::test {
namespace {

psa_algorithm::Algorithm_AsymmetricSignature_SignHash specific(Hash h) {
  psa_algorithm::Algorithm_AsymmetricSignature_SignHash sh;
  sh.set_specific(h);
  return sh;
}

psa_key_attributes::KeyAttributes attributes_for(const SignAlg& alg, uint32_t bits) {
  psa_key_attributes::KeyAttributes a;
  a.set_key_bits(bits);
  auto* flags = a.mutable_key_policy()->mutable_key_usage_flags();
  flags->set_sign_hash(true);
  flags->set_verify_hash(true);
  flags->set_sign_message(true);
  flags->set_verify_message(true);
  *a.mutable_key_policy()->mutable_key_algorithm()->mutable_asymmetric_signature() = alg;
  return a;
}

}  // namespace

SignAlg ecdsa(Hash h) {
  SignAlg a;
  *a.mutable_ecdsa()->mutable_hash_alg() = specific(h);
  return a;
}
SignAlg deterministic_ecdsa(Hash h) {
  SignAlg a;
  *a.mutable_deterministic_ecdsa()->mutable_hash_alg() = specific(h);
  return a;
}
SignAlg rsa_pkcs1v15(Hash h) {
  SignAlg a;
  *a.mutable_rsa_pkcs1v15_sign()->mutable_hash_alg() = specific(h);
  return a;
}
SignAlg rsa_pss(Hash h) {
  SignAlg a;
  *a.mutable_rsa_pss()->mutable_hash_alg() = specific(h);
  return a;
}
SignAlg with_any_hash(SignAlg alg) {
  psa_algorithm::Algorithm_AsymmetricSignature_SignHash any;
  any.mutable_any();
  switch (alg.variant_case()) {
    case SignAlg::kEcdsa:
      *alg.mutable_ecdsa()->mutable_hash_alg() = any;
      break;
    case SignAlg::kDeterministicEcdsa:
      *alg.mutable_deterministic_ecdsa()->mutable_hash_alg() = any;
      break;
    case SignAlg::kRsaPkcs1V15Sign:
      *alg.mutable_rsa_pkcs1v15_sign()->mutable_hash_alg() = any;
      break;
    case SignAlg::kRsaPss:
      *alg.mutable_rsa_pss()->mutable_hash_alg() = any;
      break;
    default:
      break;
  }
  return alg;
}

psa_key_attributes::KeyAttributes ecc_key_pair(uint32_t bits, const SignAlg& alg) {
  psa_key_attributes::KeyAttributes a = attributes_for(alg, bits);
  a.mutable_key_type()->mutable_ecc_key_pair()->set_curve_family(psa_key_attributes::KeyType_EccFamily_SECP_R1);
  return a;
}
psa_key_attributes::KeyAttributes ecc_public_key(uint32_t bits, const SignAlg& alg) {
  psa_key_attributes::KeyAttributes a = attributes_for(alg, bits);
  a.mutable_key_type()->mutable_ecc_public_key()->set_curve_family(
      psa_key_attributes::KeyType_EccFamily_SECP_R1);
  return a;
}
psa_key_attributes::KeyAttributes rsa_key_pair(uint32_t bits, const SignAlg& alg) {
  psa_key_attributes::KeyAttributes a = attributes_for(alg, bits);
  a.mutable_key_type()->mutable_rsa_key_pair();
  return a;
}
psa_key_attributes::KeyAttributes rsa_public_key(uint32_t bits, const SignAlg& alg) {
  psa_key_attributes::KeyAttributes a = attributes_for(alg, bits);
  a.mutable_key_type()->mutable_rsa_public_key();
  return a;
}

psa_key_attributes::KeyAttributes make_key(const KeyType& type, uint32_t bits, const Algorithm& policy,
                                           unsigned usage) {
  psa_key_attributes::KeyAttributes a;
  *a.mutable_key_type() = type;
  a.set_key_bits(bits);
  auto* f = a.mutable_key_policy()->mutable_key_usage_flags();
  f->set_export_((usage & kExport) != 0);
  f->set_encrypt((usage & kEncrypt) != 0);
  f->set_decrypt((usage & kDecrypt) != 0);
  f->set_sign_hash((usage & kSignHash) != 0);
  f->set_verify_hash((usage & kVerifyHash) != 0);
  f->set_sign_message((usage & (kSignMessage | kSignHash)) != 0);  // normalised as the service does
  f->set_verify_message((usage & (kVerifyMessage | kVerifyHash)) != 0);
  f->set_derive((usage & kDerive) != 0);
  *a.mutable_key_policy()->mutable_key_algorithm() = policy;
  return a;
}

KeyType raw_data_type() {
  KeyType t;
  t.mutable_raw_data();
  return t;
}
KeyType hmac_type() {
  KeyType t;
  t.mutable_hmac();
  return t;
}
KeyType derive_type() {
  KeyType t;
  t.mutable_derive();
  return t;
}
KeyType aes_type() {
  KeyType t;
  t.mutable_aes();
  return t;
}
KeyType camellia_type() {
  KeyType t;
  t.mutable_camellia();
  return t;
}
KeyType des_type() {
  KeyType t;
  t.mutable_des();
  return t;
}
KeyType arc4_type() {
  KeyType t;
  t.mutable_arc4();
  return t;
}
KeyType chacha20_type() {
  KeyType t;
  t.mutable_chacha20();
  return t;
}
KeyType rsa_pair_type() {
  KeyType t;
  t.mutable_rsa_key_pair();
  return t;
}
KeyType rsa_public_type() {
  KeyType t;
  t.mutable_rsa_public_key();
  return t;
}
KeyType ecc_pair_type(Family f) {
  KeyType t;
  t.mutable_ecc_key_pair()->set_curve_family(f);
  return t;
}
KeyType ecc_public_type(Family f) {
  KeyType t;
  t.mutable_ecc_public_key()->set_curve_family(f);
  return t;
}
KeyType dh_pair_type() {
  KeyType t;
  t.mutable_dh_key_pair()->set_group_family(psa_key_attributes::KeyType_DhFamily_RFC7919);
  return t;
}
KeyType dh_public_type() {
  KeyType t;
  t.mutable_dh_public_key()->set_group_family(psa_key_attributes::KeyType_DhFamily_RFC7919);
  return t;
}

Algorithm no_alg() {
  Algorithm a;
  a.mutable_none();
  return a;
}
Algorithm hash_alg(Hash h) {
  Algorithm a;
  a.set_hash(h);
  return a;
}
Algorithm sign_alg(const SignAlg& s) {
  Algorithm a;
  *a.mutable_asymmetric_signature() = s;
  return a;
}
SignAlg ecdsa_any() {
  SignAlg a;
  a.mutable_ecdsa_any();
  return a;
}
SignAlg rsa_pkcs1v15_raw() {
  SignAlg a;
  a.mutable_rsa_pkcs1v15_sign_raw();
  return a;
}
Algorithm oaep(Hash h) {
  Algorithm a;
  a.mutable_asymmetric_encryption()->mutable_rsa_oaep()->set_hash_alg(h);
  return a;
}
Algorithm pkcs1v15_crypt() {
  Algorithm a;
  a.mutable_asymmetric_encryption()->mutable_rsa_pkcs1v15_crypt();
  return a;
}
Algorithm aead(AeadBase base) {
  Algorithm a;
  a.mutable_aead()->set_aead_with_default_length_tag(base);
  return a;
}
Algorithm aead_short(AeadBase base, uint32_t tag_length) {
  Algorithm a;
  a.mutable_aead()->mutable_aead_with_shortened_tag()->set_aead_alg(base);
  a.mutable_aead()->mutable_aead_with_shortened_tag()->set_tag_length(tag_length);
  return a;
}
Algorithm cipher(Cipher c) {
  Algorithm a;
  a.set_cipher(c);
  return a;
}
Algorithm hmac(Hash h) {
  Algorithm a;
  a.mutable_mac()->mutable_full_length()->mutable_hmac()->set_hash_alg(h);
  return a;
}
Algorithm hmac_truncated(Hash h, uint32_t length) {
  Algorithm a;
  a.mutable_mac()->mutable_truncated()->mutable_mac_alg()->mutable_hmac()->set_hash_alg(h);
  a.mutable_mac()->mutable_truncated()->set_mac_length(length);
  return a;
}
Algorithm cmac() {
  Algorithm a;
  a.mutable_mac()->mutable_full_length()->mutable_cmac();
  return a;
}
Algorithm cmac_truncated(uint32_t length) {
  Algorithm a;
  a.mutable_mac()->mutable_truncated()->mutable_mac_alg()->mutable_cmac();
  a.mutable_mac()->mutable_truncated()->set_mac_length(length);
  return a;
}
Algorithm cbc_mac() {
  Algorithm a;
  a.mutable_mac()->mutable_full_length()->mutable_cbc_mac();
  return a;
}
Algorithm ecdh() {
  Algorithm a;
  a.mutable_key_agreement()->set_raw(psa_algorithm::Algorithm_KeyAgreement_Raw_ECDH);
  return a;
}
Algorithm ffdh() {
  Algorithm a;
  a.mutable_key_agreement()->set_raw(psa_algorithm::Algorithm_KeyAgreement_Raw_FFDH);
  return a;
}
Algorithm ecdh_hkdf(Hash h) {
  Algorithm a;
  auto* w = a.mutable_key_agreement()->mutable_with_key_derivation();
  w->set_ka_alg(psa_algorithm::Algorithm_KeyAgreement_Raw_ECDH);
  w->mutable_kdf_alg()->mutable_hkdf()->set_hash_alg(h);
  return a;
}
Algorithm hkdf(Hash h) {
  Algorithm a;
  a.mutable_key_derivation()->mutable_hkdf()->set_hash_alg(h);
  return a;
}

}  // namespace parsec::provider::test
