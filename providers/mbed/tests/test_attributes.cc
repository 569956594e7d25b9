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

}  // namespace parsec::provider::test
