#include "parsec/psa/policy.h"

#include <string>

namespace parsec::psa::policy {
namespace {

constexpr Status kBad = Status::InvalidEncoding;

bool hash_is_deprecated(Hash h) {
  return h == Hash::Md2 || h == Hash::Md4 || h == Hash::Md5 || h == Hash::Sha1;
}

bool is_rsa(KeyType t) {
  return t == KeyType::RsaKeyPair || t == KeyType::RsaPublicKey;
}
bool is_ecc(KeyType t) {
  return t == KeyType::EccKeyPair || t == KeyType::EccPublicKey;
}
bool is_dh(KeyType t) {
  return t == KeyType::DhKeyPair || t == KeyType::DhPublicKey;
}
bool is_block_cipher(KeyType t) {
  return t == KeyType::Aes || t == KeyType::Camellia || t == KeyType::Des;
}

// algorithm_deprecated: the algorithm names a deprecated hash (operations §12.4).
bool algorithm_deprecated(const Algorithm& a) {
  switch (a.kind()) {
    case AlgorithmKind::Hash:
    case AlgorithmKind::Hmac:
    case AlgorithmKind::RsaPkcs1v15Sign:
    case AlgorithmKind::RsaPss:
    case AlgorithmKind::Ecdsa:
    case AlgorithmKind::DeterministicEcdsa:
    case AlgorithmKind::RsaOaep:
    case AlgorithmKind::KeyAgreementWithDerivation:
    case AlgorithmKind::Hkdf:
    case AlgorithmKind::Tls12Prf:
    case AlgorithmKind::Tls12PskToMs:
      return hash_is_deprecated(a.hash_alg());
    default:
      return false;
  }
}

// A raw key agreement inside an algorithm: defined and not None.
Outcome validate_raw_agreement(RawKeyAgreement r) {
  if (r == RawKeyAgreement::None) {
    return Failure(kBad, "raw key agreement None");
  }
  if (static_cast<uint32_t>(r) > static_cast<uint32_t>(RawKeyAgreement::Ecdh)) {
    return Failure(kBad, "raw key agreement " + std::to_string(static_cast<uint32_t>(r)) + " is not defined");
  }
  return Outcome();
}

// A hash that a hash-and-sign signature may carry: a specific hash or Any.
Outcome validate_sign_hash(Hash h) {
  if (h == Hash::Any) {
    return Outcome();
  }
  return validate_hash(h);
}

}  // namespace

Outcome validate_hash(Hash h) {
  const auto v = static_cast<uint32_t>(h);
  if (h == Hash::None || h == Hash::Any || v > static_cast<uint32_t>(Hash::Sha3_512)) {
    return Failure(kBad, std::string("hash ") + hash_name(h) + " where a specific hash is required");
  }
  return Outcome();
}

Outcome validate_algorithm(const Algorithm& a) {
  switch (a.kind()) {
    case AlgorithmKind::None:
    case AlgorithmKind::CbcMac:
    case AlgorithmKind::Cmac:
    case AlgorithmKind::RsaPkcs1v15SignRaw:
    case AlgorithmKind::EcdsaAny:
    case AlgorithmKind::RsaPkcs1v15Crypt:
      return Outcome();
    case AlgorithmKind::Hash:
    case AlgorithmKind::Hmac:
    case AlgorithmKind::RsaOaep:
    case AlgorithmKind::Hkdf:
    case AlgorithmKind::Tls12Prf:
    case AlgorithmKind::Tls12PskToMs:
      return validate_hash(a.hash_alg());
    case AlgorithmKind::RsaPkcs1v15Sign:
    case AlgorithmKind::RsaPss:
    case AlgorithmKind::Ecdsa:
    case AlgorithmKind::DeterministicEcdsa:
      return validate_sign_hash(a.hash_alg());
    case AlgorithmKind::Cipher:
      if (a.cipher_mode() == Cipher::None) {
        return Failure(kBad, "cipher mode None");
      }
      if (static_cast<uint32_t>(a.cipher_mode()) > static_cast<uint32_t>(Cipher::CbcPkcs7)) {
        return Failure(kBad,
                       "cipher mode " + std::to_string(static_cast<uint32_t>(a.cipher_mode())) + " is not defined");
      }
      return Outcome();
    case AlgorithmKind::Aead:
      if (a.aead_alg() == AeadAlgorithm::None) {
        return Failure(kBad, "AEAD algorithm None");
      }
      if (static_cast<uint32_t>(a.aead_alg()) > static_cast<uint32_t>(AeadAlgorithm::Chacha20Poly1305)) {
        return Failure(kBad,
                       "AEAD algorithm " + std::to_string(static_cast<uint32_t>(a.aead_alg())) + " is not defined");
      }
      return Outcome();
    case AlgorithmKind::RawKeyAgreement:
      return validate_raw_agreement(a.key_agreement_alg());
    case AlgorithmKind::KeyAgreementWithDerivation:
      PARSEC_TRY(validate_raw_agreement(a.key_agreement_alg()));
      // The mandatory kdf_alg: one of the three key derivations.
      if (a.kdf_kind() != AlgorithmKind::Hkdf && a.kdf_kind() != AlgorithmKind::Tls12Prf &&
          a.kdf_kind() != AlgorithmKind::Tls12PskToMs) {
        return Failure(kBad, std::string("key agreement with derivation whose kdf is ") +
                                 algorithm_kind_name(a.kdf_kind()) + ", not a key derivation");
      }
      return validate_hash(a.hash_alg());
  }
  return Failure(kBad, "algorithm kind " + std::to_string(static_cast<uint32_t>(a.kind())) + " is not defined");
}

Outcome validate_attributes(const KeyAttributes& attrs) {
  if (attrs.type == KeyType::None || static_cast<uint32_t>(attrs.type) > static_cast<uint32_t>(KeyType::DhPublicKey)) {
    return Failure(kBad, "key attributes without a key type");
  }
  if (is_ecc(attrs.type) && (attrs.family == EccFamily::None ||
                             static_cast<uint32_t>(attrs.family) > static_cast<uint32_t>(EccFamily::Montgomery))) {
    return Failure(kBad, "ECC key attributes without a curve family");
  }
  if (is_dh(attrs.type) && attrs.dh_family != DhFamily::Rfc7919) {
    return Failure(kBad, "DH key attributes with an undefined group family");
  }
  Outcome alg = validate_algorithm(attrs.policy);
  if (!alg.ok()) {
    return Failure(kBad, "key policy: " + alg.detail());
  }
  return Outcome();
}

void normalise_flags(KeyAttributes& attrs) {
  if (attrs.flags.sign_hash) {
    attrs.flags.sign_message = true;
  }
  if (attrs.flags.verify_hash) {
    attrs.flags.verify_message = true;
  }
}

bool is_deprecated(const KeyAttributes& attrs) {
  if (attrs.type == KeyType::Des || attrs.type == KeyType::Arc4) {
    return true;
  }
  if (attrs.type == KeyType::EccPublicKey) {
    const EccFamily f = attrs.family;
    const uint32_t bits = attrs.bits;
    if (f == EccFamily::SecpR2 || f == EccFamily::SectR2 || (f == EccFamily::SectK1 && bits == 163) ||
        (f == EccFamily::SectR1 && bits == 163) || (f == EccFamily::BrainpoolPR1 && bits == 160)) {
      return true;
    }
  }
  return algorithm_deprecated(attrs.policy);
}

bool permits(const Algorithm& pol, const Algorithm& req) {
  if (pol.kind() == AlgorithmKind::None) {
    return false;
  }
  if (pol.is_asymmetric_signature() && req.is_asymmetric_signature()) {
    if (pol.kind() != req.kind()) {
      return false;
    }
    if (!pol.has_sign_hash()) {
      return true;  // raw schemes: the same kind is the same algorithm
    }
    if (req.hash_alg() == Hash::Any) {
      return false;  // a request naming `any` is never permitted
    }
    return pol.hash_alg() == Hash::Any || pol.hash_alg() == req.hash_alg();
  }
  return pol == req;
}

bool compatible(const KeyAttributes& key, const Algorithm& a) {
  const KeyType t = key.type;
  switch (a.kind()) {
    case AlgorithmKind::Hmac:
      return t == KeyType::Hmac;
    case AlgorithmKind::CbcMac:
    case AlgorithmKind::Cmac:
      return is_block_cipher(t);
    case AlgorithmKind::Cipher:
      if (a.cipher_mode() == Cipher::StreamCipher) {
        return t == KeyType::Chacha20 || t == KeyType::Arc4;
      }
      return is_block_cipher(t);
    case AlgorithmKind::Aead:
      if (a.aead_alg() == AeadAlgorithm::Chacha20Poly1305) {
        return t == KeyType::Chacha20;
      }
      return t == KeyType::Aes || t == KeyType::Camellia;
    case AlgorithmKind::RsaPkcs1v15Sign:
    case AlgorithmKind::RsaPkcs1v15SignRaw:
    case AlgorithmKind::RsaPss:
    case AlgorithmKind::RsaPkcs1v15Crypt:
    case AlgorithmKind::RsaOaep:
      return is_rsa(t);
    case AlgorithmKind::Ecdsa:
    case AlgorithmKind::EcdsaAny:
    case AlgorithmKind::DeterministicEcdsa:
      return is_ecc(t);
    case AlgorithmKind::RawKeyAgreement:
    case AlgorithmKind::KeyAgreementWithDerivation:
      if (a.key_agreement_alg() == RawKeyAgreement::Ecdh) {
        return is_ecc(t);
      }
      return is_dh(t);
    case AlgorithmKind::Hkdf:
    case AlgorithmKind::Tls12Prf:
    case AlgorithmKind::Tls12PskToMs:
      return t == KeyType::Derive;
    case AlgorithmKind::None:
    case AlgorithmKind::Hash:
      return false;
  }
  return false;
}

Outcome check_usage_only(const KeyAttributes& key, Opcode op) {
  const UsageFlags& f = key.flags;
  bool ok = true;
  const char* flag = "";
  switch (op) {
    case Opcode::PsaSignHash:
      ok = f.sign_hash;
      flag = "sign_hash";
      break;
    case Opcode::PsaVerifyHash:
      ok = f.verify_hash;
      flag = "verify_hash";
      break;
    case Opcode::PsaSignMessage:
    case Opcode::PsaMacCompute:
      ok = f.sign_message || f.sign_hash;
      flag = "sign_message";
      break;
    case Opcode::PsaVerifyMessage:
    case Opcode::PsaMacVerify:
      ok = f.verify_message || f.verify_hash;
      flag = "verify_message";
      break;
    case Opcode::PsaAsymmetricEncrypt:
    case Opcode::PsaAeadEncrypt:
    case Opcode::PsaCipherEncrypt:
      ok = f.encrypt;
      flag = "encrypt";
      break;
    case Opcode::PsaAsymmetricDecrypt:
    case Opcode::PsaAeadDecrypt:
    case Opcode::PsaCipherDecrypt:
      ok = f.decrypt;
      flag = "decrypt";
      break;
    case Opcode::PsaRawKeyAgreement:
      ok = f.derive;
      flag = "derive";
      break;
    case Opcode::PsaExportKey:
      // PSA lets a public key always be exported, whatever its flags
      // (docs/protocol.md, operations §2, usage-flag table).
      ok = f.export_ || is_public_key_type(key.type);
      flag = "export";
      break;
    default:
      break;
  }
  if (!ok) {
    return Failure(Status::PsaErrorNotPermitted, std::string("the key's usage flags do not include ") + flag);
  }
  return Outcome();
}

Outcome check_key_use(const KeyAttributes& key, Opcode op, const Algorithm& requested) {
  PARSEC_TRY(check_usage_only(key, op));
  if (!permits(key.policy, requested)) {
    return Failure(Status::PsaErrorNotPermitted, "the key's policy does not permit the requested algorithm");
  }
  if (!compatible(key, requested)) {
    return Failure(Status::PsaErrorNotPermitted, "the key's type cannot be used with the requested algorithm");
  }
  return check_rsa_size(key, requested);
}

Outcome check_rsa_size(const KeyAttributes& key, const Algorithm& alg) {
  const bool padded = alg.kind() == AlgorithmKind::RsaOaep || alg.kind() == AlgorithmKind::RsaPss;
  if (!is_rsa_key_type(key.type) || key.bits == 0 || !padded || alg.hash_alg() == Hash::Any) {
    return Outcome();
  }
  // OAEP: k = ceil(bits/8); PSS: emLen = ceil((bits-1)/8). Both need 2·hLen+2.
  const size_t have = alg.kind() == AlgorithmKind::RsaOaep ? (key.bits + 7) / 8 : (key.bits + 6) / 8;
  const size_t need = 2 * static_cast<size_t>(hash_length(alg.hash_alg())) + 2;
  if (have < need) {
    return Failure(Status::PsaErrorInvalidArgument, "RSA-" + std::to_string(key.bits) + " is too small for " +
                                                        alg.to_string() + " (needs " + std::to_string(need * 8) +
                                                        " bits or more)");
  }
  return Outcome();
}

Outcome check_sign_hash_length(const Algorithm& alg, size_t hash_len) {
  if (!alg.has_sign_hash()) {
    return Outcome();  // raw PKCS#1 v1.5 and ECDSA-any accept any length
  }
  const size_t want = hash_length(alg.hash_alg());
  if (hash_len != want) {
    return Failure(
        Status::PsaErrorInvalidArgument,
        "hash is " + std::to_string(hash_len) + " bytes but the algorithm's hash produces " + std::to_string(want));
  }
  return Outcome();
}

}  // namespace parsec::psa::policy
