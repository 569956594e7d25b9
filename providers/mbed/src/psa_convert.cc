#include "providers/mbed/src/psa_convert.h"

#include <string>

namespace parsec::provider::mbed {
namespace {

using psa::AlgorithmKind;
using psa::Hash;
using psa::KeyType;

// Truncated MAC and shortened AEAD tag lengths live in a 6-bit field of the
// algorithm id; a larger value would spill into other bits and 0 would
// silently mean "full length", so both are refused.
constexpr uint32_t kMaxEncodedLength = 63;

Failure invalid(std::string why) {
  return Failure(Status::PsaErrorInvalidArgument, std::move(why));
}

Failure wrong_family(const Algorithm& alg, const char* family) {
  return invalid(std::string("algorithm ") + psa::algorithm_kind_name(alg.kind()) + " is not " + family);
}

Result<psa_algorithm_t> sign_hash_alg(Hash h, HashWildcard wildcard) {
  if (h == Hash::Any) {
    if (wildcard == HashWildcard::Rejected) {
      return invalid("the Any hash is allowed in a key policy only");
    }
    return psa_algorithm_t{PSA_ALG_ANY_HASH};
  }
  return to_psa_hash(h);
}

// full_length_mac converts the MAC of `alg` as if it were not truncated.
Result<psa_algorithm_t> full_length_mac(const Algorithm& alg) {
  switch (alg.kind()) {
    case AlgorithmKind::Hmac: {
      Result<psa_algorithm_t> hash = to_psa_hash(alg.hash_alg());
      if (!hash.ok()) {
        return hash;
      }
      return psa_algorithm_t{PSA_ALG_HMAC(*hash)};
    }
    case AlgorithmKind::CbcMac:
      return psa_algorithm_t{PSA_ALG_CBC_MAC};
    case AlgorithmKind::Cmac:
      return psa_algorithm_t{PSA_ALG_CMAC};
    default:
      return wrong_family(alg, "a MAC");
  }
}

Result<psa_algorithm_t> default_tag_aead(psa::AeadAlgorithm aead) {
  switch (aead) {
    case psa::AeadAlgorithm::Ccm:
      return psa_algorithm_t{PSA_ALG_CCM};
    case psa::AeadAlgorithm::Gcm:
      return psa_algorithm_t{PSA_ALG_GCM};
    case psa::AeadAlgorithm::Chacha20Poly1305:
      return psa_algorithm_t{PSA_ALG_CHACHA20_POLY1305};
    default:
      return invalid("no AEAD algorithm");
  }
}

Result<psa_algorithm_t> raw_key_agreement(psa::RawKeyAgreement raw) {
  switch (raw) {
    case psa::RawKeyAgreement::Ffdh:
      return psa_algorithm_t{PSA_ALG_FFDH};
    case psa::RawKeyAgreement::Ecdh:
      return psa_algorithm_t{PSA_ALG_ECDH};
    default:
      return invalid("no raw key agreement algorithm");
  }
}

Result<psa_algorithm_t> key_derivation(AlgorithmKind kind, Hash hash) {
  psa_algorithm_t (*kdf)(psa_algorithm_t) = nullptr;
  switch (kind) {
    case AlgorithmKind::Hkdf:
      kdf = [](psa_algorithm_t h) -> psa_algorithm_t { return PSA_ALG_HKDF(h); };
      break;
    case AlgorithmKind::Tls12Prf:
      kdf = [](psa_algorithm_t h) -> psa_algorithm_t { return PSA_ALG_TLS12_PRF(h); };
      break;
    case AlgorithmKind::Tls12PskToMs:
      kdf = [](psa_algorithm_t h) -> psa_algorithm_t { return PSA_ALG_TLS12_PSK_TO_MS(h); };
      break;
    default:
      return invalid(std::string("algorithm ") + psa::algorithm_kind_name(kind) + " is not a key derivation");
  }
  Result<psa_algorithm_t> h = to_psa_hash(hash);
  if (!h.ok()) {
    return h;
  }
  return kdf(*h);
}

Result<psa_ecc_family_t> ecc_family(psa::EccFamily family) {
  switch (family) {
    case psa::EccFamily::SecpK1:
      return psa_ecc_family_t{PSA_ECC_FAMILY_SECP_K1};
    case psa::EccFamily::SecpR1:
      return psa_ecc_family_t{PSA_ECC_FAMILY_SECP_R1};
    case psa::EccFamily::SecpR2:
      return psa_ecc_family_t{PSA_ECC_FAMILY_SECP_R2};
    case psa::EccFamily::SectK1:
      return psa_ecc_family_t{PSA_ECC_FAMILY_SECT_K1};
    case psa::EccFamily::SectR1:
      return psa_ecc_family_t{PSA_ECC_FAMILY_SECT_R1};
    case psa::EccFamily::SectR2:
      return psa_ecc_family_t{PSA_ECC_FAMILY_SECT_R2};
    case psa::EccFamily::BrainpoolPR1:
      return psa_ecc_family_t{PSA_ECC_FAMILY_BRAINPOOL_P_R1};
    case psa::EccFamily::Montgomery:
      return psa_ecc_family_t{PSA_ECC_FAMILY_MONTGOMERY};
    case psa::EccFamily::Frp:
      // Mbed TLS 2.28 has no identifier for the FRP family.
      return Failure(Status::PsaErrorNotSupported, "Mbed TLS 2.28 has no FRP curve family");
    default:
      return invalid("no ECC curve family");
  }
}

Result<psa_dh_family_t> to_dh_family(psa::DhFamily family) {
  if (family == psa::DhFamily::Rfc7919) {
    return psa_dh_family_t{PSA_DH_FAMILY_RFC7919};
  }
  return invalid("unknown DH group family");
}

}  // namespace

Result<psa_algorithm_t> to_psa_hash(Hash hash) {
  switch (hash) {
    case Hash::Md2:
      return psa_algorithm_t{PSA_ALG_MD2};
    case Hash::Md4:
      return psa_algorithm_t{PSA_ALG_MD4};
    case Hash::Md5:
      return psa_algorithm_t{PSA_ALG_MD5};
    case Hash::Ripemd160:
      return psa_algorithm_t{PSA_ALG_RIPEMD160};
    case Hash::Sha1:
      return psa_algorithm_t{PSA_ALG_SHA_1};
    case Hash::Sha224:
      return psa_algorithm_t{PSA_ALG_SHA_224};
    case Hash::Sha256:
      return psa_algorithm_t{PSA_ALG_SHA_256};
    case Hash::Sha384:
      return psa_algorithm_t{PSA_ALG_SHA_384};
    case Hash::Sha512:
      return psa_algorithm_t{PSA_ALG_SHA_512};
    case Hash::Sha512_224:
      return psa_algorithm_t{PSA_ALG_SHA_512_224};
    case Hash::Sha512_256:
      return psa_algorithm_t{PSA_ALG_SHA_512_256};
    case Hash::Sha3_224:
      return psa_algorithm_t{PSA_ALG_SHA3_224};
    case Hash::Sha3_256:
      return psa_algorithm_t{PSA_ALG_SHA3_256};
    case Hash::Sha3_384:
      return psa_algorithm_t{PSA_ALG_SHA3_384};
    case Hash::Sha3_512:
      return psa_algorithm_t{PSA_ALG_SHA3_512};
    default:  // None, the Any wildcard or a number the contract does not define
      return invalid(std::string("not a specific hash: ") + psa::hash_name(hash));
  }
}

Result<psa_algorithm_t> to_psa_sign_algorithm(const Algorithm& alg, HashWildcard wildcard) {
  const auto with_hash = [&alg, wildcard](psa_algorithm_t (*scheme)(psa_algorithm_t)) -> Result<psa_algorithm_t> {
    Result<psa_algorithm_t> hash = sign_hash_alg(alg.hash_alg(), wildcard);
    if (!hash.ok()) {
      return hash;
    }
    return scheme(*hash);
  };
  switch (alg.kind()) {
    case AlgorithmKind::RsaPkcs1v15Sign:
      return with_hash([](psa_algorithm_t h) -> psa_algorithm_t { return PSA_ALG_RSA_PKCS1V15_SIGN(h); });
    case AlgorithmKind::RsaPkcs1v15SignRaw:
      return psa_algorithm_t{PSA_ALG_RSA_PKCS1V15_SIGN_RAW};
    case AlgorithmKind::RsaPss:
      return with_hash([](psa_algorithm_t h) -> psa_algorithm_t { return PSA_ALG_RSA_PSS(h); });
    case AlgorithmKind::Ecdsa:
      return with_hash([](psa_algorithm_t h) -> psa_algorithm_t { return PSA_ALG_ECDSA(h); });
    case AlgorithmKind::EcdsaAny:
      return psa_algorithm_t{PSA_ALG_ECDSA_ANY};
    case AlgorithmKind::DeterministicEcdsa:
      return with_hash([](psa_algorithm_t h) -> psa_algorithm_t { return PSA_ALG_DETERMINISTIC_ECDSA(h); });
    default:
      return wrong_family(alg, "an asymmetric signature");
  }
}

Result<psa_algorithm_t> to_psa_encryption_algorithm(const Algorithm& alg) {
  switch (alg.kind()) {
    case AlgorithmKind::RsaPkcs1v15Crypt:
      return psa_algorithm_t{PSA_ALG_RSA_PKCS1V15_CRYPT};
    case AlgorithmKind::RsaOaep: {
      Result<psa_algorithm_t> hash = to_psa_hash(alg.hash_alg());
      if (!hash.ok()) {
        return hash;
      }
      return psa_algorithm_t{PSA_ALG_RSA_OAEP(*hash)};
    }
    default:
      return wrong_family(alg, "an asymmetric encryption");
  }
}

Result<psa_algorithm_t> to_psa_mac_algorithm(const Algorithm& alg) {
  if (!alg.is_mac()) {
    return wrong_family(alg, "a MAC");
  }
  if (!alg.is_truncated()) {
    return full_length_mac(alg);
  }
  if (alg.length() == 0 || alg.length() > kMaxEncodedLength) {
    return invalid("truncated MAC length " + std::to_string(alg.length()) + " is not in [1, 63]");
  }
  Result<psa_algorithm_t> base = full_length_mac(alg);
  if (!base.ok()) {
    return base;
  }
  return psa_algorithm_t{PSA_ALG_TRUNCATED_MAC(*base, alg.length())};
}

Result<psa_algorithm_t> to_psa_cipher_algorithm(psa::Cipher alg) {
  switch (alg) {
    case psa::Cipher::StreamCipher:
      return psa_algorithm_t{PSA_ALG_STREAM_CIPHER};
    case psa::Cipher::Ctr:
      return psa_algorithm_t{PSA_ALG_CTR};
    case psa::Cipher::Cfb:
      return psa_algorithm_t{PSA_ALG_CFB};
    case psa::Cipher::Ofb:
      return psa_algorithm_t{PSA_ALG_OFB};
    case psa::Cipher::Xts:
      return psa_algorithm_t{PSA_ALG_XTS};
    case psa::Cipher::EcbNoPadding:
      return psa_algorithm_t{PSA_ALG_ECB_NO_PADDING};
    case psa::Cipher::CbcNoPadding:
      return psa_algorithm_t{PSA_ALG_CBC_NO_PADDING};
    case psa::Cipher::CbcPkcs7:
      return psa_algorithm_t{PSA_ALG_CBC_PKCS7};
    default:
      return invalid("no cipher mode");
  }
}

Result<psa_algorithm_t> to_psa_aead_algorithm(const Algorithm& alg) {
  if (alg.kind() != AlgorithmKind::Aead) {
    return wrong_family(alg, "an AEAD");
  }
  if (!alg.is_truncated()) {
    return default_tag_aead(alg.aead_alg());
  }
  if (alg.length() == 0 || alg.length() > kMaxEncodedLength) {
    return invalid("AEAD tag length " + std::to_string(alg.length()) + " is not in [1, 63]");
  }
  Result<psa_algorithm_t> base = default_tag_aead(alg.aead_alg());
  if (!base.ok()) {
    return base;
  }
  return psa_algorithm_t{PSA_ALG_AEAD_WITH_SHORTENED_TAG(*base, alg.length())};
}

Result<psa_algorithm_t> to_psa_key_derivation_algorithm(const Algorithm& alg) {
  return key_derivation(alg.kind(), alg.hash_alg());
}

Result<psa_algorithm_t> to_psa_key_agreement_algorithm(const Algorithm& alg) {
  switch (alg.kind()) {
    case AlgorithmKind::RawKeyAgreement:
      return raw_key_agreement(alg.key_agreement_alg());
    case AlgorithmKind::KeyAgreementWithDerivation: {
      Result<psa_algorithm_t> ka = raw_key_agreement(alg.key_agreement_alg());
      if (!ka.ok()) {
        return ka;
      }
      Result<psa_algorithm_t> kdf = key_derivation(alg.kdf_kind(), alg.hash_alg());
      if (!kdf.ok()) {
        return kdf;
      }
      return psa_algorithm_t{PSA_ALG_KEY_AGREEMENT(*ka, *kdf)};
    }
    default:
      return wrong_family(alg, "a key agreement");
  }
}

Result<psa_algorithm_t> to_psa_algorithm(const Algorithm& alg, HashWildcard wildcard) {
  if (alg.kind() == AlgorithmKind::None) {
    return psa_algorithm_t{PSA_ALG_NONE};
  }
  if (alg.kind() == AlgorithmKind::Hash) {
    return to_psa_hash(alg.hash_alg());
  }
  if (alg.is_mac()) {
    return to_psa_mac_algorithm(alg);
  }
  if (alg.kind() == AlgorithmKind::Cipher) {
    return to_psa_cipher_algorithm(alg.cipher_mode());
  }
  if (alg.is_aead()) {
    return to_psa_aead_algorithm(alg);
  }
  if (alg.is_asymmetric_signature()) {
    return to_psa_sign_algorithm(alg, wildcard);
  }
  if (alg.is_asymmetric_encryption()) {
    return to_psa_encryption_algorithm(alg);
  }
  if (alg.is_key_agreement()) {
    return to_psa_key_agreement_algorithm(alg);
  }
  if (alg.is_key_derivation()) {
    return to_psa_key_derivation_algorithm(alg);
  }
  return invalid("unknown algorithm kind " + std::to_string(static_cast<uint32_t>(alg.kind())));
}

Result<psa_key_type_t> to_psa_key_type(KeyType type, psa::EccFamily family, psa::DhFamily dh_family) {
  switch (type) {
    case KeyType::RawData:
      return psa_key_type_t{PSA_KEY_TYPE_RAW_DATA};
    case KeyType::Hmac:
      return psa_key_type_t{PSA_KEY_TYPE_HMAC};
    case KeyType::Derive:
      return psa_key_type_t{PSA_KEY_TYPE_DERIVE};
    case KeyType::Aes:
      return psa_key_type_t{PSA_KEY_TYPE_AES};
    case KeyType::Des:
      return psa_key_type_t{PSA_KEY_TYPE_DES};
    case KeyType::Camellia:
      return psa_key_type_t{PSA_KEY_TYPE_CAMELLIA};
    case KeyType::Arc4:
      return psa_key_type_t{PSA_KEY_TYPE_ARC4};
    case KeyType::Chacha20:
      return psa_key_type_t{PSA_KEY_TYPE_CHACHA20};
    case KeyType::RsaPublicKey:
      return psa_key_type_t{PSA_KEY_TYPE_RSA_PUBLIC_KEY};
    case KeyType::RsaKeyPair:
      return psa_key_type_t{PSA_KEY_TYPE_RSA_KEY_PAIR};
    case KeyType::EccKeyPair:
    case KeyType::EccPublicKey: {
      Result<psa_ecc_family_t> f = ecc_family(family);
      if (!f.ok()) {
        return f.failure();
      }
      return static_cast<psa_key_type_t>(type == KeyType::EccKeyPair ? PSA_KEY_TYPE_ECC_KEY_PAIR(*f)
                                                                     : PSA_KEY_TYPE_ECC_PUBLIC_KEY(*f));
    }
    case KeyType::DhKeyPair:
    case KeyType::DhPublicKey: {
      Result<psa_dh_family_t> f = to_dh_family(dh_family);
      if (!f.ok()) {
        return f.failure();
      }
      return static_cast<psa_key_type_t>(type == KeyType::DhKeyPair ? PSA_KEY_TYPE_DH_KEY_PAIR(*f)
                                                                    : PSA_KEY_TYPE_DH_PUBLIC_KEY(*f));
    }
    default:
      return invalid("no key type");
  }
}

psa_key_usage_t to_psa_usage(const psa::UsageFlags& flags) {
  psa_key_usage_t usage = 0;
  const struct {
    bool set;
    psa_key_usage_t bit;
  } kMap[] = {
      {flags.export_, PSA_KEY_USAGE_EXPORT},
      {flags.copy, PSA_KEY_USAGE_COPY},
      {flags.encrypt, PSA_KEY_USAGE_ENCRYPT},
      {flags.decrypt, PSA_KEY_USAGE_DECRYPT},
      {flags.sign_message, PSA_KEY_USAGE_SIGN_MESSAGE},
      {flags.verify_message, PSA_KEY_USAGE_VERIFY_MESSAGE},
      {flags.sign_hash, PSA_KEY_USAGE_SIGN_HASH},
      {flags.verify_hash, PSA_KEY_USAGE_VERIFY_HASH},
      {flags.derive, PSA_KEY_USAGE_DERIVE},
  };
  for (const auto& m : kMap) {
    if (m.set) {
      usage |= m.bit;
    }
  }
  return usage;
}

Outcome to_psa_attributes(const KeyAttributes& attributes, PsaAttributes& out) {
  Result<psa_key_type_t> type = to_psa_key_type(attributes.type, attributes.family, attributes.dh_family);
  if (!type.ok()) {
    return type.failure();
  }
  Result<psa_algorithm_t> alg = to_psa_algorithm(attributes.policy, HashWildcard::Allowed);
  if (!alg.ok()) {
    return alg.failure();
  }
  psa_set_key_type(out.get(), *type);
  psa_set_key_bits(out.get(), attributes.bits);
  psa_set_key_usage_flags(out.get(), to_psa_usage(attributes.flags));
  psa_set_key_algorithm(out.get(), *alg);
  return Status::Success;
}

}  // namespace parsec::provider::mbed
