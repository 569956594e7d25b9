#include "parsec/psa/key_attributes.h"

namespace parsec::psa {

const char* key_type_name(KeyType t) {
  switch (t) {
    case KeyType::None:
      return "None";
    case KeyType::RawData:
      return "RawData";
    case KeyType::Hmac:
      return "Hmac";
    case KeyType::Derive:
      return "Derive";
    case KeyType::Aes:
      return "Aes";
    case KeyType::Des:
      return "Des";
    case KeyType::Camellia:
      return "Camellia";
    case KeyType::Arc4:
      return "Arc4";
    case KeyType::Chacha20:
      return "Chacha20";
    case KeyType::RsaPublicKey:
      return "RsaPublicKey";
    case KeyType::RsaKeyPair:
      return "RsaKeyPair";
    case KeyType::EccKeyPair:
      return "EccKeyPair";
    case KeyType::EccPublicKey:
      return "EccPublicKey";
    case KeyType::DhKeyPair:
      return "DhKeyPair";
    case KeyType::DhPublicKey:
      return "DhPublicKey";
  }
  return "Unknown";
}

bool is_ecc_key_type(KeyType t) {
  return t == KeyType::EccKeyPair || t == KeyType::EccPublicKey;
}
bool is_rsa_key_type(KeyType t) {
  return t == KeyType::RsaKeyPair || t == KeyType::RsaPublicKey;
}
bool is_dh_key_type(KeyType t) {
  return t == KeyType::DhKeyPair || t == KeyType::DhPublicKey;
}
bool is_public_key_type(KeyType t) {
  return t == KeyType::RsaPublicKey || t == KeyType::EccPublicKey || t == KeyType::DhPublicKey;
}

const char* ecc_family_name(EccFamily f) {
  switch (f) {
    case EccFamily::None:
      return "None";
    case EccFamily::SecpK1:
      return "SecpK1";
    case EccFamily::SecpR1:
      return "SecpR1";
    case EccFamily::SecpR2:
      return "SecpR2";
    case EccFamily::SectK1:
      return "SectK1";
    case EccFamily::SectR1:
      return "SectR1";
    case EccFamily::SectR2:
      return "SectR2";
    case EccFamily::BrainpoolPR1:
      return "BrainpoolPR1";
    case EccFamily::Frp:
      return "Frp";
    case EccFamily::Montgomery:
      return "Montgomery";
  }
  return "Unknown";
}

const char* dh_family_name(DhFamily f) {
  switch (f) {
    case DhFamily::Rfc7919:
      return "Rfc7919";
  }
  return "Unknown";
}

UsageFlags UsageFlags::with_implied() const {
  UsageFlags f = *this;
  f.sign_message = f.sign_message || f.sign_hash;
  f.verify_message = f.verify_message || f.verify_hash;
  return f;
}

UsageFlags UsageFlags::for_policy(const Algorithm& policy) {
  UsageFlags f;
  if (policy.is_asymmetric_signature()) {
    f.sign_hash = f.verify_hash = f.sign_message = f.verify_message = true;
  } else if (policy.is_asymmetric_encryption() || policy.is_aead() || policy.kind() == AlgorithmKind::Cipher) {
    f.encrypt = f.decrypt = true;
  } else if (policy.is_mac()) {
    // MACs are computed under sign_message and checked under verify_message.
    f.sign_message = f.verify_message = true;
  } else if (policy.is_key_agreement() || policy.is_key_derivation()) {
    f.derive = true;
  }
  return f;
}

bool UsageFlags::operator==(const UsageFlags& o) const {
  return export_ == o.export_ && copy == o.copy && cache == o.cache && encrypt == o.encrypt && decrypt == o.decrypt &&
         sign_message == o.sign_message && verify_message == o.verify_message && sign_hash == o.sign_hash &&
         verify_hash == o.verify_hash && derive == o.derive;
}

namespace {

KeyAttributes make(KeyType type, uint32_t bits, const Algorithm& policy) {
  KeyAttributes a;
  a.type = type;
  a.bits = bits;
  a.policy = policy;
  a.flags = UsageFlags::for_policy(policy);
  if (is_public_key_type(type)) {
    // A public key can only do the public half of its algorithm.
    a.flags.sign_hash = a.flags.sign_message = a.flags.decrypt = a.flags.derive = false;
  }
  return a;
}

}  // namespace

KeyAttributes KeyAttributes::ecc_key_pair(uint32_t bits, const Algorithm& policy, EccFamily family) {
  KeyAttributes a = make(KeyType::EccKeyPair, bits, policy);
  a.family = family;
  return a;
}

KeyAttributes KeyAttributes::ecc_public_key(uint32_t bits, const Algorithm& policy, EccFamily family) {
  KeyAttributes a = make(KeyType::EccPublicKey, bits, policy);
  a.family = family;
  return a;
}

KeyAttributes KeyAttributes::rsa_key_pair(uint32_t bits, const Algorithm& policy) {
  return make(KeyType::RsaKeyPair, bits, policy);
}

KeyAttributes KeyAttributes::rsa_public_key(uint32_t bits, const Algorithm& policy) {
  return make(KeyType::RsaPublicKey, bits, policy);
}

KeyAttributes KeyAttributes::dh_key_pair(uint32_t bits, const Algorithm& policy) {
  return make(KeyType::DhKeyPair, bits, policy);
}

KeyAttributes KeyAttributes::dh_public_key(uint32_t bits, const Algorithm& policy) {
  return make(KeyType::DhPublicKey, bits, policy);
}

KeyAttributes KeyAttributes::of_type(KeyType type, uint32_t bits, const Algorithm& policy) {
  return make(type, bits, policy);
}

std::string KeyAttributes::type_to_string() const {
  if (is_ecc_key_type(type)) {
    return std::string(key_type_name(type)) + " { curve_family: " + ecc_family_name(family) + " }";
  }
  if (is_dh_key_type(type)) {
    return std::string(key_type_name(type)) + " { group_family: " + dh_family_name(dh_family) + " }";
  }
  return key_type_name(type);
}

bool KeyAttributes::operator==(const KeyAttributes& o) const {
  return type == o.type && family == o.family && dh_family == o.dh_family && bits == o.bits && flags == o.flags &&
         policy == o.policy;
}

}  // namespace parsec::psa
