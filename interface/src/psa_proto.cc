#include "parsec/interface/psa_proto.h"

#include <string>

namespace parsec::psa::proto {
namespace {

[[noreturn]] void invalid(const std::string& what) {
  throw Invalid(what);
}

constexpr int kMaxWireHash = 15;

// ---- hash in a hash-and-sign signature (SignHash: any | specific) ------------

void sign_hash_to_proto(Hash h, pa::Algorithm_AsymmetricSignature_SignHash* out) {
  if (h == Hash::Any) {
    out->mutable_any();
  } else {
    out->set_specific(hash_to_proto(h));
  }
}

Hash sign_hash_from_proto(bool present, const pa::Algorithm_AsymmetricSignature_SignHash& in) {
  if (!present) {
    invalid("signature algorithm without its mandatory hash_alg");
  }
  switch (in.variant_case()) {
    case pa::Algorithm_AsymmetricSignature_SignHash::kAny:
      return Hash::Any;
    case pa::Algorithm_AsymmetricSignature_SignHash::kSpecific:
      return hash_from_proto(in.specific());
    case pa::Algorithm_AsymmetricSignature_SignHash::VARIANT_NOT_SET:
      break;
  }
  invalid("signature hash_alg with no variant set");
}

// ---- MAC ----------------------------------------------------------------------

void full_mac_to_proto(const Algorithm& a, pa::Algorithm_Mac_FullLength* out) {
  switch (a.kind()) {
    case AlgorithmKind::Hmac:
      out->mutable_hmac()->set_hash_alg(hash_to_proto(a.hash_alg()));
      return;
    case AlgorithmKind::CbcMac:
      out->mutable_cbc_mac();
      return;
    case AlgorithmKind::Cmac:
      out->mutable_cmac();
      return;
    default:
      invalid(std::string("algorithm ") + algorithm_kind_name(a.kind()) + " is not a MAC");
  }
}

Algorithm full_mac_from_proto(const pa::Algorithm_Mac_FullLength& in) {
  switch (in.variant_case()) {
    case pa::Algorithm_Mac_FullLength::kHmac:
      return Algorithm::hmac(hash_from_proto(in.hmac().hash_alg()));
    case pa::Algorithm_Mac_FullLength::kCbcMac:
      return Algorithm::cbc_mac();
    case pa::Algorithm_Mac_FullLength::kCmac:
      return Algorithm::cmac();
    case pa::Algorithm_Mac_FullLength::VARIANT_NOT_SET:
      break;
  }
  invalid("full-length MAC with no variant set");
}

// ---- AEAD base ----------------------------------------------------------------

pa::Algorithm_Aead_AeadWithDefaultLengthTag aead_base_to_proto(AeadAlgorithm a) {
  const auto v = static_cast<uint32_t>(a);
  if (v > 3) {
    invalid("AEAD algorithm value " + std::to_string(v) + " is not defined");
  }
  return static_cast<pa::Algorithm_Aead_AeadWithDefaultLengthTag>(v);
}

AeadAlgorithm aead_base_from_proto(int v) {
  if (v < 0 || v > 3) {
    invalid("AEAD algorithm value " + std::to_string(v) + " is not defined");
  }
  return static_cast<AeadAlgorithm>(v);
}

RawKeyAgreement raw_key_agreement_from_proto(int v) {
  if (v < 0 || v > 2) {
    invalid("raw key agreement value " + std::to_string(v) + " is not defined");
  }
  return static_cast<RawKeyAgreement>(v);
}

Cipher cipher_from_proto(int v) {
  if (v < 0 || v > 8) {
    invalid("cipher value " + std::to_string(v) + " is not defined");
  }
  return static_cast<Cipher>(v);
}

// ---- key derivation -------------------------------------------------------------

void kdf_to_proto(AlgorithmKind kind, Hash h, pa::Algorithm_KeyDerivation* out) {
  switch (kind) {
    case AlgorithmKind::Hkdf:
      out->mutable_hkdf()->set_hash_alg(hash_to_proto(h));
      return;
    case AlgorithmKind::Tls12Prf:
      out->mutable_tls12_prf()->set_hash_alg(hash_to_proto(h));
      return;
    case AlgorithmKind::Tls12PskToMs:
      out->mutable_tls12_psk_to_ms()->set_hash_alg(hash_to_proto(h));
      return;
    default:
      invalid(std::string("algorithm ") + algorithm_kind_name(kind) + " is not a key derivation");
  }
}

Algorithm kdf_from_proto(const pa::Algorithm_KeyDerivation& in) {
  switch (in.variant_case()) {
    case pa::Algorithm_KeyDerivation::kHkdf:
      return Algorithm::hkdf(hash_from_proto(in.hkdf().hash_alg()));
    case pa::Algorithm_KeyDerivation::kTls12Prf:
      return Algorithm::tls12_prf(hash_from_proto(in.tls12_prf().hash_alg()));
    case pa::Algorithm_KeyDerivation::kTls12PskToMs:
      return Algorithm::tls12_psk_to_ms(hash_from_proto(in.tls12_psk_to_ms().hash_alg()));
    case pa::Algorithm_KeyDerivation::VARIANT_NOT_SET:
      break;
  }
  invalid("key derivation with no variant set");
}

void key_agreement_to_proto(const Algorithm& a, pa::Algorithm_KeyAgreement* out) {
  if (a.kind() == AlgorithmKind::RawKeyAgreement) {
    out->set_raw(raw_key_agreement_to_proto(a.key_agreement_alg()));
    return;
  }
  if (a.kind() == AlgorithmKind::KeyAgreementWithDerivation) {
    auto* w = out->mutable_with_key_derivation();
    w->set_ka_alg(raw_key_agreement_to_proto(a.key_agreement_alg()));
    kdf_to_proto(a.kdf_kind(), a.hash_alg(), w->mutable_kdf_alg());
    return;
  }
  invalid(std::string("algorithm ") + algorithm_kind_name(a.kind()) + " is not a key agreement");
}

Algorithm key_agreement_from_proto(const pa::Algorithm_KeyAgreement& in) {
  switch (in.variant_case()) {
    case pa::Algorithm_KeyAgreement::kRaw:
      return Algorithm::raw_key_agreement(raw_key_agreement_from_proto(in.raw()));
    case pa::Algorithm_KeyAgreement::kWithKeyDerivation: {
      const auto& w = in.with_key_derivation();
      if (!w.has_kdf_alg()) {
        invalid("key agreement with derivation without its mandatory kdf_alg");
      }
      return Algorithm::key_agreement_with_derivation(raw_key_agreement_from_proto(w.ka_alg()),
                                                      kdf_from_proto(w.kdf_alg()));
    }
    case pa::Algorithm_KeyAgreement::VARIANT_NOT_SET:
      break;
  }
  invalid("key agreement with no variant set");
}

}  // namespace

// ---- enums ----------------------------------------------------------------------

pa::Algorithm_Hash hash_to_proto(Hash h) {
  if (h == Hash::Any) {
    invalid("Hash::Any is only valid as the hash of a hash-and-sign signature policy");
  }
  const auto v = static_cast<uint32_t>(h);
  if (v > kMaxWireHash) {
    invalid("hash value " + std::to_string(v) + " is not defined");
  }
  return static_cast<pa::Algorithm_Hash>(v);
}

Hash hash_from_proto(int v) {
  if (v < 0 || v > kMaxWireHash) {
    invalid("hash value " + std::to_string(v) + " is not defined");
  }
  return static_cast<Hash>(v);
}

pa::Algorithm_Cipher cipher_to_proto(Cipher c) {
  const auto v = static_cast<uint32_t>(c);
  if (v > 8) {
    invalid("cipher value " + std::to_string(v) + " is not defined");
  }
  return static_cast<pa::Algorithm_Cipher>(v);
}

pa::Algorithm_KeyAgreement_Raw raw_key_agreement_to_proto(RawKeyAgreement r) {
  const auto v = static_cast<uint32_t>(r);
  if (v > 2) {
    invalid("raw key agreement value " + std::to_string(v) + " is not defined");
  }
  return static_cast<pa::Algorithm_KeyAgreement_Raw>(v);
}

// ---- nested algorithm messages ------------------------------------------------

void signature_to_proto(const Algorithm& a, pa::Algorithm_AsymmetricSignature* out) {
  switch (a.kind()) {
    case AlgorithmKind::RsaPkcs1v15Sign:
      sign_hash_to_proto(a.hash_alg(), out->mutable_rsa_pkcs1v15_sign()->mutable_hash_alg());
      return;
    case AlgorithmKind::RsaPkcs1v15SignRaw:
      out->mutable_rsa_pkcs1v15_sign_raw();
      return;
    case AlgorithmKind::RsaPss:
      sign_hash_to_proto(a.hash_alg(), out->mutable_rsa_pss()->mutable_hash_alg());
      return;
    case AlgorithmKind::Ecdsa:
      sign_hash_to_proto(a.hash_alg(), out->mutable_ecdsa()->mutable_hash_alg());
      return;
    case AlgorithmKind::EcdsaAny:
      out->mutable_ecdsa_any();
      return;
    case AlgorithmKind::DeterministicEcdsa:
      sign_hash_to_proto(a.hash_alg(), out->mutable_deterministic_ecdsa()->mutable_hash_alg());
      return;
    default:
      invalid(std::string("algorithm ") + algorithm_kind_name(a.kind()) + " is not an asymmetric signature");
  }
}

Algorithm signature_from_proto(const pa::Algorithm_AsymmetricSignature& in) {
  switch (in.variant_case()) {
    case pa::Algorithm_AsymmetricSignature::kRsaPkcs1V15Sign:
      return Algorithm::rsa_pkcs1v15_sign(
          sign_hash_from_proto(in.rsa_pkcs1v15_sign().has_hash_alg(), in.rsa_pkcs1v15_sign().hash_alg()));
    case pa::Algorithm_AsymmetricSignature::kRsaPkcs1V15SignRaw:
      return Algorithm::rsa_pkcs1v15_sign_raw();
    case pa::Algorithm_AsymmetricSignature::kRsaPss:
      return Algorithm::rsa_pss(sign_hash_from_proto(in.rsa_pss().has_hash_alg(), in.rsa_pss().hash_alg()));
    case pa::Algorithm_AsymmetricSignature::kEcdsa:
      return Algorithm::ecdsa(sign_hash_from_proto(in.ecdsa().has_hash_alg(), in.ecdsa().hash_alg()));
    case pa::Algorithm_AsymmetricSignature::kEcdsaAny:
      return Algorithm::ecdsa_any();
    case pa::Algorithm_AsymmetricSignature::kDeterministicEcdsa:
      return Algorithm::deterministic_ecdsa(
          sign_hash_from_proto(in.deterministic_ecdsa().has_hash_alg(), in.deterministic_ecdsa().hash_alg()));
    case pa::Algorithm_AsymmetricSignature::VARIANT_NOT_SET:
      break;
  }
  invalid("asymmetric signature with no variant set");
}

void encryption_to_proto(const Algorithm& a, pa::Algorithm_AsymmetricEncryption* out) {
  switch (a.kind()) {
    case AlgorithmKind::RsaPkcs1v15Crypt:
      out->mutable_rsa_pkcs1v15_crypt();
      return;
    case AlgorithmKind::RsaOaep:
      out->mutable_rsa_oaep()->set_hash_alg(hash_to_proto(a.hash_alg()));
      return;
    default:
      invalid(std::string("algorithm ") + algorithm_kind_name(a.kind()) + " is not an asymmetric encryption");
  }
}

Algorithm encryption_from_proto(const pa::Algorithm_AsymmetricEncryption& in) {
  switch (in.variant_case()) {
    case pa::Algorithm_AsymmetricEncryption::kRsaPkcs1V15Crypt:
      return Algorithm::rsa_pkcs1v15_crypt();
    case pa::Algorithm_AsymmetricEncryption::kRsaOaep:
      return Algorithm::rsa_oaep(hash_from_proto(in.rsa_oaep().hash_alg()));
    case pa::Algorithm_AsymmetricEncryption::VARIANT_NOT_SET:
      break;
  }
  invalid("asymmetric encryption with no variant set");
}

void aead_to_proto(const Algorithm& a, pa::Algorithm_Aead* out) {
  if (a.kind() != AlgorithmKind::Aead) {
    invalid(std::string("algorithm ") + algorithm_kind_name(a.kind()) + " is not an AEAD");
  }
  if (a.is_truncated()) {
    auto* s = out->mutable_aead_with_shortened_tag();
    s->set_aead_alg(aead_base_to_proto(a.aead_alg()));
    s->set_tag_length(a.length());
  } else {
    out->set_aead_with_default_length_tag(aead_base_to_proto(a.aead_alg()));
  }
}

Algorithm aead_from_proto(const pa::Algorithm_Aead& in) {
  switch (in.variant_case()) {
    case pa::Algorithm_Aead::kAeadWithDefaultLengthTag:
      return Algorithm::aead(aead_base_from_proto(in.aead_with_default_length_tag()));
    case pa::Algorithm_Aead::kAeadWithShortenedTag:
      return Algorithm::aead_shortened_tag(aead_base_from_proto(in.aead_with_shortened_tag().aead_alg()),
                                           in.aead_with_shortened_tag().tag_length());
    case pa::Algorithm_Aead::VARIANT_NOT_SET:
      break;
  }
  invalid("AEAD algorithm with no variant set");
}

void mac_to_proto(const Algorithm& a, pa::Algorithm_Mac* out) {
  if (a.is_truncated()) {
    auto* t = out->mutable_truncated();
    full_mac_to_proto(a, t->mutable_mac_alg());
    t->set_mac_length(a.length());
  } else {
    full_mac_to_proto(a, out->mutable_full_length());
  }
}

Algorithm mac_from_proto(const pa::Algorithm_Mac& in) {
  switch (in.variant_case()) {
    case pa::Algorithm_Mac::kFullLength:
      return full_mac_from_proto(in.full_length());
    case pa::Algorithm_Mac::kTruncated:
      if (!in.truncated().has_mac_alg()) {
        invalid("truncated MAC without its mandatory mac_alg");
      }
      return Algorithm::truncated_mac(full_mac_from_proto(in.truncated().mac_alg()), in.truncated().mac_length());
    case pa::Algorithm_Mac::VARIANT_NOT_SET:
      break;
  }
  invalid("MAC algorithm with no variant set");
}

// ---- whole algorithm ------------------------------------------------------------

void algorithm_to_proto(const Algorithm& a, pa::Algorithm* out) {
  switch (a.kind()) {
    case AlgorithmKind::None:
      out->mutable_none();
      return;
    case AlgorithmKind::Hash:
      out->set_hash(hash_to_proto(a.hash_alg()));
      return;
    case AlgorithmKind::Hmac:
    case AlgorithmKind::CbcMac:
    case AlgorithmKind::Cmac:
      mac_to_proto(a, out->mutable_mac());
      return;
    case AlgorithmKind::Cipher:
      out->set_cipher(cipher_to_proto(a.cipher_mode()));
      return;
    case AlgorithmKind::Aead:
      aead_to_proto(a, out->mutable_aead());
      return;
    case AlgorithmKind::RsaPkcs1v15Sign:
    case AlgorithmKind::RsaPkcs1v15SignRaw:
    case AlgorithmKind::RsaPss:
    case AlgorithmKind::Ecdsa:
    case AlgorithmKind::EcdsaAny:
    case AlgorithmKind::DeterministicEcdsa:
      signature_to_proto(a, out->mutable_asymmetric_signature());
      return;
    case AlgorithmKind::RsaPkcs1v15Crypt:
    case AlgorithmKind::RsaOaep:
      encryption_to_proto(a, out->mutable_asymmetric_encryption());
      return;
    case AlgorithmKind::RawKeyAgreement:
    case AlgorithmKind::KeyAgreementWithDerivation:
      key_agreement_to_proto(a, out->mutable_key_agreement());
      return;
    case AlgorithmKind::Hkdf:
    case AlgorithmKind::Tls12Prf:
    case AlgorithmKind::Tls12PskToMs:
      kdf_to_proto(a.kind(), a.hash_alg(), out->mutable_key_derivation());
      return;
  }
  invalid("algorithm kind " + std::to_string(static_cast<uint32_t>(a.kind())) + " is not defined");
}

Algorithm algorithm_from_proto(const pa::Algorithm& in) {
  switch (in.variant_case()) {
    case pa::Algorithm::kNone:
      return Algorithm::none();
    case pa::Algorithm::kHash:
      return Algorithm::hash(hash_from_proto(in.hash()));
    case pa::Algorithm::kMac:
      return mac_from_proto(in.mac());
    case pa::Algorithm::kCipher:
      return Algorithm::cipher(cipher_from_proto(in.cipher()));
    case pa::Algorithm::kAead:
      return aead_from_proto(in.aead());
    case pa::Algorithm::kAsymmetricSignature:
      return signature_from_proto(in.asymmetric_signature());
    case pa::Algorithm::kAsymmetricEncryption:
      return encryption_from_proto(in.asymmetric_encryption());
    case pa::Algorithm::kKeyAgreement:
      return key_agreement_from_proto(in.key_agreement());
    case pa::Algorithm::kKeyDerivation:
      return kdf_from_proto(in.key_derivation());
    case pa::Algorithm::VARIANT_NOT_SET:
      break;
  }
  invalid("algorithm with no variant set");
}

// ---- key attributes ---------------------------------------------------------------

namespace {

pk::KeyType_EccFamily ecc_family_to_proto(EccFamily f) {
  const auto v = static_cast<uint32_t>(f);
  if (v > 9) {
    invalid("ECC family value " + std::to_string(v) + " is not defined");
  }
  return static_cast<pk::KeyType_EccFamily>(v);
}

EccFamily ecc_family_from_proto(int v) {
  if (v < 0 || v > 9) {
    invalid("ECC family value " + std::to_string(v) + " is not defined");
  }
  return static_cast<EccFamily>(v);
}

pk::KeyType_DhFamily dh_family_to_proto(DhFamily f) {
  if (f != DhFamily::Rfc7919) {
    invalid("DH family value " + std::to_string(static_cast<uint32_t>(f)) + " is not defined");
  }
  return pk::KeyType_DhFamily_RFC7919;
}

DhFamily dh_family_from_proto(int v) {
  if (v != 0) {
    invalid("DH family value " + std::to_string(v) + " is not defined");
  }
  return DhFamily::Rfc7919;
}

void key_type_to_proto(const KeyAttributes& a, pk::KeyType* out) {
  switch (a.type) {
    case KeyType::None:
      invalid("key attributes without a key type");
    case KeyType::RawData:
      out->mutable_raw_data();
      return;
    case KeyType::Hmac:
      out->mutable_hmac();
      return;
    case KeyType::Derive:
      out->mutable_derive();
      return;
    case KeyType::Aes:
      out->mutable_aes();
      return;
    case KeyType::Des:
      out->mutable_des();
      return;
    case KeyType::Camellia:
      out->mutable_camellia();
      return;
    case KeyType::Arc4:
      out->mutable_arc4();
      return;
    case KeyType::Chacha20:
      out->mutable_chacha20();
      return;
    case KeyType::RsaPublicKey:
      out->mutable_rsa_public_key();
      return;
    case KeyType::RsaKeyPair:
      out->mutable_rsa_key_pair();
      return;
    case KeyType::EccKeyPair:
      out->mutable_ecc_key_pair()->set_curve_family(ecc_family_to_proto(a.family));
      return;
    case KeyType::EccPublicKey:
      out->mutable_ecc_public_key()->set_curve_family(ecc_family_to_proto(a.family));
      return;
    case KeyType::DhKeyPair:
      out->mutable_dh_key_pair()->set_group_family(dh_family_to_proto(a.dh_family));
      return;
    case KeyType::DhPublicKey:
      out->mutable_dh_public_key()->set_group_family(dh_family_to_proto(a.dh_family));
      return;
  }
  invalid("key type value " + std::to_string(static_cast<uint32_t>(a.type)) + " is not defined");
}

void key_type_from_proto(const pk::KeyType& in, KeyAttributes* a) {
  using K = pk::KeyType;
  switch (in.variant_case()) {
    case K::kRawData:
      a->type = KeyType::RawData;
      return;
    case K::kHmac:
      a->type = KeyType::Hmac;
      return;
    case K::kDerive:
      a->type = KeyType::Derive;
      return;
    case K::kAes:
      a->type = KeyType::Aes;
      return;
    case K::kDes:
      a->type = KeyType::Des;
      return;
    case K::kCamellia:
      a->type = KeyType::Camellia;
      return;
    case K::kArc4:
      a->type = KeyType::Arc4;
      return;
    case K::kChacha20:
      a->type = KeyType::Chacha20;
      return;
    case K::kRsaPublicKey:
      a->type = KeyType::RsaPublicKey;
      return;
    case K::kRsaKeyPair:
      a->type = KeyType::RsaKeyPair;
      return;
    case K::kEccKeyPair:
      a->type = KeyType::EccKeyPair;
      a->family = ecc_family_from_proto(in.ecc_key_pair().curve_family());
      return;
    case K::kEccPublicKey:
      a->type = KeyType::EccPublicKey;
      a->family = ecc_family_from_proto(in.ecc_public_key().curve_family());
      return;
    case K::kDhKeyPair:
      a->type = KeyType::DhKeyPair;
      a->dh_family = dh_family_from_proto(in.dh_key_pair().group_family());
      return;
    case K::kDhPublicKey:
      a->type = KeyType::DhPublicKey;
      a->dh_family = dh_family_from_proto(in.dh_public_key().group_family());
      return;
    case K::VARIANT_NOT_SET:
      break;
  }
  invalid("key type with no variant set");
}

}  // namespace

void attributes_to_proto(const KeyAttributes& a, pk::KeyAttributes* out) {
  key_type_to_proto(a, out->mutable_key_type());
  out->set_key_bits(a.bits);
  auto* policy = out->mutable_key_policy();
  // The service implies sign_message from sign_hash (and verify likewise);
  // sending both keeps stored attributes identical to what we asked for.
  const UsageFlags f = a.flags.with_implied();
  auto* pf = policy->mutable_key_usage_flags();
  pf->set_export_(f.export_);
  pf->set_copy(f.copy);
  pf->set_cache(f.cache);
  pf->set_encrypt(f.encrypt);
  pf->set_decrypt(f.decrypt);
  pf->set_sign_message(f.sign_message);
  pf->set_verify_message(f.verify_message);
  pf->set_sign_hash(f.sign_hash);
  pf->set_verify_hash(f.verify_hash);
  pf->set_derive(f.derive);
  algorithm_to_proto(a.policy, policy->mutable_key_algorithm());
}

KeyAttributes attributes_from_proto(const pk::KeyAttributes& in) {
  if (!in.has_key_type()) {
    invalid("key attributes without the mandatory key_type");
  }
  if (!in.has_key_policy()) {
    invalid("key attributes without the mandatory key_policy");
  }
  const auto& policy = in.key_policy();
  if (!policy.has_key_usage_flags()) {
    invalid("key policy without the mandatory key_usage_flags");
  }
  if (!policy.has_key_algorithm()) {
    invalid("key policy without the mandatory key_algorithm");
  }
  KeyAttributes a;
  key_type_from_proto(in.key_type(), &a);
  a.bits = in.key_bits();
  const auto& pf = policy.key_usage_flags();
  a.flags.export_ = pf.export_();
  a.flags.copy = pf.copy();
  a.flags.cache = pf.cache();
  a.flags.encrypt = pf.encrypt();
  a.flags.decrypt = pf.decrypt();
  a.flags.sign_message = pf.sign_message();
  a.flags.verify_message = pf.verify_message();
  a.flags.sign_hash = pf.sign_hash();
  a.flags.verify_hash = pf.verify_hash();
  a.flags.derive = pf.derive();
  a.policy = algorithm_from_proto(policy.key_algorithm());
  return a;
}

// ---- key attestation ------------------------------------------------------------

Bytes attest_credential_from_proto(const ::attest_key::Result& in) {
  if (!in.has_output()) {
    invalid("AttestKey result without its mandatory output");
  }
  switch (in.output().mechanism_case()) {
    case ::attest_key::AttestationOutput::kActivateCredential: {
      const std::string& c = in.output().activate_credential().credential();
      return Bytes(c.begin(), c.end());
    }
    case ::attest_key::AttestationOutput::MECHANISM_NOT_SET:
      break;
  }
  invalid("AttestKey output with no mechanism set");
}

PreparedAttestation prepared_attestation_from_proto(const ::prepare_key_attestation::Result& in) {
  if (!in.has_output()) {
    invalid("PrepareKeyAttestation result without its mandatory output");
  }
  switch (in.output().mechanism_case()) {
    case ::prepare_key_attestation::PrepareKeyAttestationOutput::kActivateCredential: {
      const auto& ac = in.output().activate_credential();
      PreparedAttestation out;
      out.name.assign(ac.name().begin(), ac.name().end());
      out.public_area.assign(ac.public_().begin(), ac.public_().end());
      out.attesting_key_public.assign(ac.attesting_key_pub().begin(), ac.attesting_key_pub().end());
      return out;
    }
    case ::prepare_key_attestation::PrepareKeyAttestationOutput::MECHANISM_NOT_SET:
      break;
  }
  invalid("PrepareKeyAttestation output with no mechanism set");
}

}  // namespace parsec::psa::proto
