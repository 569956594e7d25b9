#include "psa_convert.h"

namespace parsec::provider::mbed {
namespace {

using psa_algorithm::Algorithm;
using psa_algorithm::Algorithm_Aead;
using psa_algorithm::Algorithm_AsymmetricEncryption;
using psa_algorithm::Algorithm_AsymmetricSignature;
using psa_algorithm::Algorithm_AsymmetricSignature_SignHash;
using psa_algorithm::Algorithm_KeyAgreement;
using psa_algorithm::Algorithm_KeyDerivation;
using psa_algorithm::Algorithm_Mac;
using psa_algorithm::Algorithm_Mac_FullLength;
using psa_key_attributes::KeyType;

// Truncated MAC and shortened AEAD tag lengths live in a 6-bit field of the
// algorithm id; a larger value would spill into other bits and 0 would
// silently mean "full length", so both are refused.
constexpr uint32_t kMaxEncodedLength = 63;

Result<psa_algorithm_t> sign_hash_alg(const Algorithm_AsymmetricSignature_SignHash& h, HashWildcard wildcard) {
  switch (h.variant_case()) {
    case Algorithm_AsymmetricSignature_SignHash::kAny:
      if (wildcard == HashWildcard::Rejected) {
        return Status::PsaErrorInvalidArgument;
      }
      return psa_algorithm_t{PSA_ALG_ANY_HASH};
    case Algorithm_AsymmetricSignature_SignHash::kSpecific:
      return to_psa_hash(h.specific());
    case Algorithm_AsymmetricSignature_SignHash::VARIANT_NOT_SET:
      break;
  }
  return Status::PsaErrorInvalidArgument;
}

Result<psa_algorithm_t> full_length_mac(const Algorithm_Mac_FullLength& mac) {
  switch (mac.variant_case()) {
    case Algorithm_Mac_FullLength::kHmac: {
      Result<psa_algorithm_t> hash = to_psa_hash(mac.hmac().hash_alg());
      if (!hash.ok()) {
        return hash;
      }
      return psa_algorithm_t{PSA_ALG_HMAC(*hash)};
    }
    case Algorithm_Mac_FullLength::kCbcMac:
      return psa_algorithm_t{PSA_ALG_CBC_MAC};
    case Algorithm_Mac_FullLength::kCmac:
      return psa_algorithm_t{PSA_ALG_CMAC};
    case Algorithm_Mac_FullLength::VARIANT_NOT_SET:
      break;
  }
  return Status::PsaErrorInvalidArgument;
}

Result<psa_algorithm_t> default_tag_aead(psa_algorithm::Algorithm_Aead_AeadWithDefaultLengthTag aead) {
  switch (aead) {
    case psa_algorithm::Algorithm_Aead_AeadWithDefaultLengthTag_CCM:
      return psa_algorithm_t{PSA_ALG_CCM};
    case psa_algorithm::Algorithm_Aead_AeadWithDefaultLengthTag_GCM:
      return psa_algorithm_t{PSA_ALG_GCM};
    case psa_algorithm::Algorithm_Aead_AeadWithDefaultLengthTag_CHACHA20_POLY1305:
      return psa_algorithm_t{PSA_ALG_CHACHA20_POLY1305};
    default:
      return Status::PsaErrorInvalidArgument;
  }
}

Result<psa_algorithm_t> raw_key_agreement(psa_algorithm::Algorithm_KeyAgreement_Raw raw) {
  switch (raw) {
    case psa_algorithm::Algorithm_KeyAgreement_Raw_FFDH:
      return psa_algorithm_t{PSA_ALG_FFDH};
    case psa_algorithm::Algorithm_KeyAgreement_Raw_ECDH:
      return psa_algorithm_t{PSA_ALG_ECDH};
    default:
      return Status::PsaErrorInvalidArgument;
  }
}

Result<psa_ecc_family_t> ecc_family(psa_key_attributes::KeyType_EccFamily family) {
  switch (family) {
    case psa_key_attributes::KeyType_EccFamily_SECP_K1:
      return psa_ecc_family_t{PSA_ECC_FAMILY_SECP_K1};
    case psa_key_attributes::KeyType_EccFamily_SECP_R1:
      return psa_ecc_family_t{PSA_ECC_FAMILY_SECP_R1};
    case psa_key_attributes::KeyType_EccFamily_SECP_R2:
      return psa_ecc_family_t{PSA_ECC_FAMILY_SECP_R2};
    case psa_key_attributes::KeyType_EccFamily_SECT_K1:
      return psa_ecc_family_t{PSA_ECC_FAMILY_SECT_K1};
    case psa_key_attributes::KeyType_EccFamily_SECT_R1:
      return psa_ecc_family_t{PSA_ECC_FAMILY_SECT_R1};
    case psa_key_attributes::KeyType_EccFamily_SECT_R2:
      return psa_ecc_family_t{PSA_ECC_FAMILY_SECT_R2};
    case psa_key_attributes::KeyType_EccFamily_BRAINPOOL_P_R1:
      return psa_ecc_family_t{PSA_ECC_FAMILY_BRAINPOOL_P_R1};
    case psa_key_attributes::KeyType_EccFamily_MONTGOMERY:
      return psa_ecc_family_t{PSA_ECC_FAMILY_MONTGOMERY};
    case psa_key_attributes::KeyType_EccFamily_FRP:
      // Mbed TLS 2.28 has no identifier for the FRP family.
      return Status::PsaErrorNotSupported;
    default:
      return Status::PsaErrorInvalidArgument;
  }
}

Result<psa_dh_family_t> dh_family(psa_key_attributes::KeyType_DhFamily family) {
  if (family == psa_key_attributes::KeyType_DhFamily_RFC7919) {
    return psa_dh_family_t{PSA_DH_FAMILY_RFC7919};
  }
  return Status::PsaErrorInvalidArgument;
}

}  // namespace

Result<psa_algorithm_t> to_psa_hash(psa_algorithm::Algorithm_Hash hash) {
  switch (hash) {
    case psa_algorithm::Algorithm_Hash_MD2:
      return psa_algorithm_t{PSA_ALG_MD2};
    case psa_algorithm::Algorithm_Hash_MD4:
      return psa_algorithm_t{PSA_ALG_MD4};
    case psa_algorithm::Algorithm_Hash_MD5:
      return psa_algorithm_t{PSA_ALG_MD5};
    case psa_algorithm::Algorithm_Hash_RIPEMD160:
      return psa_algorithm_t{PSA_ALG_RIPEMD160};
    case psa_algorithm::Algorithm_Hash_SHA_1:
      return psa_algorithm_t{PSA_ALG_SHA_1};
    case psa_algorithm::Algorithm_Hash_SHA_224:
      return psa_algorithm_t{PSA_ALG_SHA_224};
    case psa_algorithm::Algorithm_Hash_SHA_256:
      return psa_algorithm_t{PSA_ALG_SHA_256};
    case psa_algorithm::Algorithm_Hash_SHA_384:
      return psa_algorithm_t{PSA_ALG_SHA_384};
    case psa_algorithm::Algorithm_Hash_SHA_512:
      return psa_algorithm_t{PSA_ALG_SHA_512};
    case psa_algorithm::Algorithm_Hash_SHA_512_224:
      return psa_algorithm_t{PSA_ALG_SHA_512_224};
    case psa_algorithm::Algorithm_Hash_SHA_512_256:
      return psa_algorithm_t{PSA_ALG_SHA_512_256};
    case psa_algorithm::Algorithm_Hash_SHA3_224:
      return psa_algorithm_t{PSA_ALG_SHA3_224};
    case psa_algorithm::Algorithm_Hash_SHA3_256:
      return psa_algorithm_t{PSA_ALG_SHA3_256};
    case psa_algorithm::Algorithm_Hash_SHA3_384:
      return psa_algorithm_t{PSA_ALG_SHA3_384};
    case psa_algorithm::Algorithm_Hash_SHA3_512:
      return psa_algorithm_t{PSA_ALG_SHA3_512};
    default:  // HASH_NONE or a number the contract does not define
      return Status::PsaErrorInvalidArgument;
  }
}

Result<psa_algorithm_t> to_psa_sign_algorithm(const Algorithm_AsymmetricSignature& alg, HashWildcard wildcard) {
  const auto with_hash = [wildcard](const Algorithm_AsymmetricSignature_SignHash& h,
                                    psa_algorithm_t (*scheme)(psa_algorithm_t)) -> Result<psa_algorithm_t> {
    Result<psa_algorithm_t> hash = sign_hash_alg(h, wildcard);
    if (!hash.ok()) {
      return hash;
    }
    return scheme(*hash);
  };
  switch (alg.variant_case()) {
    case Algorithm_AsymmetricSignature::kRsaPkcs1V15Sign:
      return with_hash(alg.rsa_pkcs1v15_sign().hash_alg(),
                       [](psa_algorithm_t h) -> psa_algorithm_t { return PSA_ALG_RSA_PKCS1V15_SIGN(h); });
    case Algorithm_AsymmetricSignature::kRsaPkcs1V15SignRaw:
      return psa_algorithm_t{PSA_ALG_RSA_PKCS1V15_SIGN_RAW};
    case Algorithm_AsymmetricSignature::kRsaPss:
      return with_hash(alg.rsa_pss().hash_alg(),
                       [](psa_algorithm_t h) -> psa_algorithm_t { return PSA_ALG_RSA_PSS(h); });
    case Algorithm_AsymmetricSignature::kEcdsa:
      return with_hash(alg.ecdsa().hash_alg(),
                       [](psa_algorithm_t h) -> psa_algorithm_t { return PSA_ALG_ECDSA(h); });
    case Algorithm_AsymmetricSignature::kEcdsaAny:
      return psa_algorithm_t{PSA_ALG_ECDSA_ANY};
    case Algorithm_AsymmetricSignature::kDeterministicEcdsa:
      return with_hash(alg.deterministic_ecdsa().hash_alg(),
                       [](psa_algorithm_t h) -> psa_algorithm_t { return PSA_ALG_DETERMINISTIC_ECDSA(h); });
    case Algorithm_AsymmetricSignature::VARIANT_NOT_SET:
      break;
  }
  return Status::PsaErrorInvalidArgument;
}

Result<psa_algorithm_t> to_psa_encryption_algorithm(const Algorithm_AsymmetricEncryption& alg) {
  switch (alg.variant_case()) {
    case Algorithm_AsymmetricEncryption::kRsaPkcs1V15Crypt:
      return psa_algorithm_t{PSA_ALG_RSA_PKCS1V15_CRYPT};
    case Algorithm_AsymmetricEncryption::kRsaOaep: {
      Result<psa_algorithm_t> hash = to_psa_hash(alg.rsa_oaep().hash_alg());
      if (!hash.ok()) {
        return hash;
      }
      return psa_algorithm_t{PSA_ALG_RSA_OAEP(*hash)};
    }
    case Algorithm_AsymmetricEncryption::VARIANT_NOT_SET:
      break;
  }
  return Status::PsaErrorInvalidArgument;
}

Result<psa_algorithm_t> to_psa_mac_algorithm(const Algorithm_Mac& alg) {
  switch (alg.variant_case()) {
    case Algorithm_Mac::kFullLength:
      return full_length_mac(alg.full_length());
    case Algorithm_Mac::kTruncated: {
      const auto& truncated = alg.truncated();
      if (!truncated.has_mac_alg() || truncated.mac_length() == 0 || truncated.mac_length() > kMaxEncodedLength) {
        return Status::PsaErrorInvalidArgument;
      }
      Result<psa_algorithm_t> base = full_length_mac(truncated.mac_alg());
      if (!base.ok()) {
        return base;
      }
      return psa_algorithm_t{PSA_ALG_TRUNCATED_MAC(*base, truncated.mac_length())};
    }
    case Algorithm_Mac::VARIANT_NOT_SET:
      break;
  }
  return Status::PsaErrorInvalidArgument;
}

Result<psa_algorithm_t> to_psa_cipher_algorithm(psa_algorithm::Algorithm_Cipher alg) {
  switch (alg) {
    case psa_algorithm::Algorithm_Cipher_STREAM_CIPHER:
      return psa_algorithm_t{PSA_ALG_STREAM_CIPHER};
    case psa_algorithm::Algorithm_Cipher_CTR:
      return psa_algorithm_t{PSA_ALG_CTR};
    case psa_algorithm::Algorithm_Cipher_CFB:
      return psa_algorithm_t{PSA_ALG_CFB};
    case psa_algorithm::Algorithm_Cipher_OFB:
      return psa_algorithm_t{PSA_ALG_OFB};
    case psa_algorithm::Algorithm_Cipher_XTS:
      return psa_algorithm_t{PSA_ALG_XTS};
    case psa_algorithm::Algorithm_Cipher_ECB_NO_PADDING:
      return psa_algorithm_t{PSA_ALG_ECB_NO_PADDING};
    case psa_algorithm::Algorithm_Cipher_CBC_NO_PADDING:
      return psa_algorithm_t{PSA_ALG_CBC_NO_PADDING};
    case psa_algorithm::Algorithm_Cipher_CBC_PKCS7:
      return psa_algorithm_t{PSA_ALG_CBC_PKCS7};
    default:
      return Status::PsaErrorInvalidArgument;
  }
}

Result<psa_algorithm_t> to_psa_aead_algorithm(const Algorithm_Aead& alg) {
  switch (alg.variant_case()) {
    case Algorithm_Aead::kAeadWithDefaultLengthTag:
      return default_tag_aead(alg.aead_with_default_length_tag());
    case Algorithm_Aead::kAeadWithShortenedTag: {
      const auto& shortened = alg.aead_with_shortened_tag();
      if (shortened.tag_length() == 0 || shortened.tag_length() > kMaxEncodedLength) {
        return Status::PsaErrorInvalidArgument;
      }
      Result<psa_algorithm_t> base = default_tag_aead(shortened.aead_alg());
      if (!base.ok()) {
        return base;
      }
      return psa_algorithm_t{PSA_ALG_AEAD_WITH_SHORTENED_TAG(*base, shortened.tag_length())};
    }
    case Algorithm_Aead::VARIANT_NOT_SET:
      break;
  }
  return Status::PsaErrorInvalidArgument;
}

Result<psa_algorithm_t> to_psa_key_derivation_algorithm(const Algorithm_KeyDerivation& alg) {
  psa_algorithm::Algorithm_Hash hash = psa_algorithm::Algorithm_Hash_HASH_NONE;
  psa_algorithm_t (*kdf)(psa_algorithm_t) = nullptr;
  switch (alg.variant_case()) {
    case Algorithm_KeyDerivation::kHkdf:
      hash = alg.hkdf().hash_alg();
      kdf = [](psa_algorithm_t h) -> psa_algorithm_t { return PSA_ALG_HKDF(h); };
      break;
    case Algorithm_KeyDerivation::kTls12Prf:
      hash = alg.tls12_prf().hash_alg();
      kdf = [](psa_algorithm_t h) -> psa_algorithm_t { return PSA_ALG_TLS12_PRF(h); };
      break;
    case Algorithm_KeyDerivation::kTls12PskToMs:
      hash = alg.tls12_psk_to_ms().hash_alg();
      kdf = [](psa_algorithm_t h) -> psa_algorithm_t { return PSA_ALG_TLS12_PSK_TO_MS(h); };
      break;
    case Algorithm_KeyDerivation::VARIANT_NOT_SET:
      return Status::PsaErrorInvalidArgument;
  }
  if (kdf == nullptr) {
    return Status::PsaErrorInvalidArgument;
  }
  Result<psa_algorithm_t> h = to_psa_hash(hash);
  if (!h.ok()) {
    return h;
  }
  return kdf(*h);
}

Result<psa_algorithm_t> to_psa_key_agreement_algorithm(const Algorithm_KeyAgreement& alg) {
  switch (alg.variant_case()) {
    case Algorithm_KeyAgreement::kRaw:
      return raw_key_agreement(alg.raw());
    case Algorithm_KeyAgreement::kWithKeyDerivation: {
      const auto& chained = alg.with_key_derivation();
      if (!chained.has_kdf_alg()) {
        return Status::PsaErrorInvalidArgument;
      }
      Result<psa_algorithm_t> ka = raw_key_agreement(chained.ka_alg());
      if (!ka.ok()) {
        return ka;
      }
      Result<psa_algorithm_t> kdf = to_psa_key_derivation_algorithm(chained.kdf_alg());
      if (!kdf.ok()) {
        return kdf;
      }
      return psa_algorithm_t{PSA_ALG_KEY_AGREEMENT(*ka, *kdf)};
    }
    case Algorithm_KeyAgreement::VARIANT_NOT_SET:
      break;
  }
  return Status::PsaErrorInvalidArgument;
}

Result<psa_algorithm_t> to_psa_algorithm(const Algorithm& alg, HashWildcard wildcard) {
  switch (alg.variant_case()) {
    case Algorithm::kNone:
      return psa_algorithm_t{PSA_ALG_NONE};
    case Algorithm::kHash:
      return to_psa_hash(alg.hash());
    case Algorithm::kMac:
      return to_psa_mac_algorithm(alg.mac());
    case Algorithm::kCipher:
      return to_psa_cipher_algorithm(alg.cipher());
    case Algorithm::kAead:
      return to_psa_aead_algorithm(alg.aead());
    case Algorithm::kAsymmetricSignature:
      return to_psa_sign_algorithm(alg.asymmetric_signature(), wildcard);
    case Algorithm::kAsymmetricEncryption:
      return to_psa_encryption_algorithm(alg.asymmetric_encryption());
    case Algorithm::kKeyAgreement:
      return to_psa_key_agreement_algorithm(alg.key_agreement());
    case Algorithm::kKeyDerivation:
      return to_psa_key_derivation_algorithm(alg.key_derivation());
    case Algorithm::VARIANT_NOT_SET:
      break;
  }
  return Status::PsaErrorInvalidArgument;
}

Result<psa_key_type_t> to_psa_key_type(const KeyType& type) {
  switch (type.variant_case()) {
    case KeyType::kRawData:
      return psa_key_type_t{PSA_KEY_TYPE_RAW_DATA};
    case KeyType::kHmac:
      return psa_key_type_t{PSA_KEY_TYPE_HMAC};
    case KeyType::kDerive:
      return psa_key_type_t{PSA_KEY_TYPE_DERIVE};
    case KeyType::kAes:
      return psa_key_type_t{PSA_KEY_TYPE_AES};
    case KeyType::kDes:
      return psa_key_type_t{PSA_KEY_TYPE_DES};
    case KeyType::kCamellia:
      return psa_key_type_t{PSA_KEY_TYPE_CAMELLIA};
    case KeyType::kArc4:
      return psa_key_type_t{PSA_KEY_TYPE_ARC4};
    case KeyType::kChacha20:
      return psa_key_type_t{PSA_KEY_TYPE_CHACHA20};
    case KeyType::kRsaPublicKey:
      return psa_key_type_t{PSA_KEY_TYPE_RSA_PUBLIC_KEY};
    case KeyType::kRsaKeyPair:
      return psa_key_type_t{PSA_KEY_TYPE_RSA_KEY_PAIR};
    case KeyType::kEccKeyPair: {
      Result<psa_ecc_family_t> family = ecc_family(type.ecc_key_pair().curve_family());
      if (!family.ok()) {
        return family.status();
      }
      return static_cast<psa_key_type_t>(PSA_KEY_TYPE_ECC_KEY_PAIR(*family));
    }
    case KeyType::kEccPublicKey: {
      Result<psa_ecc_family_t> family = ecc_family(type.ecc_public_key().curve_family());
      if (!family.ok()) {
        return family.status();
      }
      return static_cast<psa_key_type_t>(PSA_KEY_TYPE_ECC_PUBLIC_KEY(*family));
    }
    case KeyType::kDhKeyPair: {
      Result<psa_dh_family_t> family = dh_family(type.dh_key_pair().group_family());
      if (!family.ok()) {
        return family.status();
      }
      return static_cast<psa_key_type_t>(PSA_KEY_TYPE_DH_KEY_PAIR(*family));
    }
    case KeyType::kDhPublicKey: {
      Result<psa_dh_family_t> family = dh_family(type.dh_public_key().group_family());
      if (!family.ok()) {
        return family.status();
      }
      return static_cast<psa_key_type_t>(PSA_KEY_TYPE_DH_PUBLIC_KEY(*family));
    }
    case KeyType::VARIANT_NOT_SET:
      break;
  }
  return Status::PsaErrorInvalidArgument;
}

psa_key_usage_t to_psa_usage(const psa_key_attributes::UsageFlags& flags) {
  psa_key_usage_t usage = 0;
  const struct {
    bool set;
    psa_key_usage_t bit;
  } kMap[] = {
      {flags.export_(), PSA_KEY_USAGE_EXPORT},
      {flags.copy(), PSA_KEY_USAGE_COPY},
      {flags.encrypt(), PSA_KEY_USAGE_ENCRYPT},
      {flags.decrypt(), PSA_KEY_USAGE_DECRYPT},
      {flags.sign_message(), PSA_KEY_USAGE_SIGN_MESSAGE},
      {flags.verify_message(), PSA_KEY_USAGE_VERIFY_MESSAGE},
      {flags.sign_hash(), PSA_KEY_USAGE_SIGN_HASH},
      {flags.verify_hash(), PSA_KEY_USAGE_VERIFY_HASH},
      {flags.derive(), PSA_KEY_USAGE_DERIVE},
  };
  for (const auto& m : kMap) {
    if (m.set) {
      usage |= m.bit;
    }
  }
  return usage;
}

Status to_psa_attributes(const KeyAttributes& attributes, PsaAttributes& out) {
  if (!attributes.has_key_type() || !attributes.has_key_policy()) {
    return Status::PsaErrorInvalidArgument;
  }
  Result<psa_key_type_t> type = to_psa_key_type(attributes.key_type());
  if (!type.ok()) {
    return type.status();
  }
  const auto& policy = attributes.key_policy();
  if (!policy.has_key_algorithm()) {
    return Status::PsaErrorInvalidArgument;
  }
  Result<psa_algorithm_t> alg = to_psa_algorithm(policy.key_algorithm(), HashWildcard::Allowed);
  if (!alg.ok()) {
    return alg.status();
  }
  psa_set_key_type(out.get(), *type);
  psa_set_key_bits(out.get(), attributes.key_bits());
  psa_set_key_usage_flags(out.get(), to_psa_usage(policy.key_usage_flags()));
  psa_set_key_algorithm(out.get(), *alg);
  return Status::Success;
}

}  // namespace parsec::provider::mbed
