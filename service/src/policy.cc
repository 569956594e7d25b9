#include "policy.h"

#include <google/protobuf/util/message_differencer.h>

namespace parsec::service::policy {
namespace {

using psa_key_attributes::KeyType;
using Sig = Algorithm::AsymmetricSignature;

constexpr Status kOk = Status::Success;
constexpr Status kBad = Status::InvalidEncoding;

Status validate_sign_hash(const Sig::SignHash& h) {
  switch (h.variant_case()) {
    case Sig::SignHash::kAny:
      return kOk;
    case Sig::SignHash::kSpecific:
      return validate_hash(h.specific());
    default:
      return kBad;
  }
}

Status validate_full_mac(const Algorithm::Mac::FullLength& f) {
  switch (f.variant_case()) {
    case Algorithm::Mac::FullLength::kHmac:
      return validate_hash(f.hmac().hash_alg());
    case Algorithm::Mac::FullLength::kCbcMac:
    case Algorithm::Mac::FullLength::kCmac:
      return kOk;
    default:
      return kBad;
  }
}

Status validate_kdf(const Algorithm::KeyDerivation& k) {
  switch (k.variant_case()) {
    case Algorithm::KeyDerivation::kHkdf:
      return validate_hash(k.hkdf().hash_alg());
    case Algorithm::KeyDerivation::kTls12Prf:
      return validate_hash(k.tls12_prf().hash_alg());
    case Algorithm::KeyDerivation::kTls12PskToMs:
      return validate_hash(k.tls12_psk_to_ms().hash_alg());
    default:
      return kBad;
  }
}

bool hash_is_deprecated(int h) {
  return h == Algorithm::MD2 || h == Algorithm::MD4 || h == Algorithm::MD5 || h == Algorithm::SHA_1;
}

bool sign_hash_deprecated(const Sig::SignHash& h) {
  return h.variant_case() == Sig::SignHash::kSpecific && hash_is_deprecated(h.specific());
}

bool full_mac_deprecated(const Algorithm::Mac::FullLength& f) {
  return f.has_hmac() && hash_is_deprecated(f.hmac().hash_alg());
}

bool kdf_deprecated(const Algorithm::KeyDerivation& k) {
  switch (k.variant_case()) {
    case Algorithm::KeyDerivation::kHkdf:
      return hash_is_deprecated(k.hkdf().hash_alg());
    case Algorithm::KeyDerivation::kTls12Prf:
      return hash_is_deprecated(k.tls12_prf().hash_alg());
    case Algorithm::KeyDerivation::kTls12PskToMs:
      return hash_is_deprecated(k.tls12_psk_to_ms().hash_alg());
    default:
      return false;
  }
}

bool algorithm_deprecated(const Algorithm& a) {
  switch (a.variant_case()) {
    case Algorithm::kHash:
      return hash_is_deprecated(a.hash());
    case Algorithm::kMac:
      return a.mac().has_full_length() ? full_mac_deprecated(a.mac().full_length())
                                       : full_mac_deprecated(a.mac().truncated().mac_alg());
    case Algorithm::kAsymmetricSignature: {
      const Sig& s = a.asymmetric_signature();
      switch (s.variant_case()) {
        case Sig::kRsaPkcs1V15Sign:
          return sign_hash_deprecated(s.rsa_pkcs1v15_sign().hash_alg());
        case Sig::kRsaPss:
          return sign_hash_deprecated(s.rsa_pss().hash_alg());
        case Sig::kEcdsa:
          return sign_hash_deprecated(s.ecdsa().hash_alg());
        case Sig::kDeterministicEcdsa:
          return sign_hash_deprecated(s.deterministic_ecdsa().hash_alg());
        default:
          return false;
      }
    }
    case Algorithm::kAsymmetricEncryption:
      return a.asymmetric_encryption().has_rsa_oaep() &&
             hash_is_deprecated(a.asymmetric_encryption().rsa_oaep().hash_alg());
    case Algorithm::kKeyAgreement:
      return a.key_agreement().has_with_key_derivation() &&
             kdf_deprecated(a.key_agreement().with_key_derivation().kdf_alg());
    case Algorithm::kKeyDerivation:
      return kdf_deprecated(a.key_derivation());
    default:
      return false;
  }
}

// sign_scheme_hash returns the SignHash of a hash-and-sign scheme, or nullptr
// for the raw schemes.
const Sig::SignHash* sign_scheme_hash(const Sig& s) {
  switch (s.variant_case()) {
    case Sig::kRsaPkcs1V15Sign:
      return &s.rsa_pkcs1v15_sign().hash_alg();
    case Sig::kRsaPss:
      return &s.rsa_pss().hash_alg();
    case Sig::kEcdsa:
      return &s.ecdsa().hash_alg();
    case Sig::kDeterministicEcdsa:
      return &s.deterministic_ecdsa().hash_alg();
    default:
      return nullptr;
  }
}

bool is_block_cipher_type(const KeyType& t) { return t.has_aes() || t.has_camellia() || t.has_des(); }

}  // namespace

Status validate_hash(int hash) {
  return (Algorithm::Hash_IsValid(hash) && hash != Algorithm::HASH_NONE) ? kOk : kBad;
}

Status validate_cipher(int cipher) {
  return (Algorithm::Cipher_IsValid(cipher) && cipher != Algorithm::CIPHER_NONE) ? kOk : kBad;
}

Status validate_raw_agreement(int raw) {
  return (Algorithm::KeyAgreement::Raw_IsValid(raw) && raw != Algorithm::KeyAgreement::RAW_NONE) ? kOk : kBad;
}

Status validate_sign_alg(const Sig& s) {
  switch (s.variant_case()) {
    case Sig::kRsaPkcs1V15Sign:
      return s.rsa_pkcs1v15_sign().has_hash_alg() ? validate_sign_hash(s.rsa_pkcs1v15_sign().hash_alg()) : kBad;
    case Sig::kRsaPss:
      return s.rsa_pss().has_hash_alg() ? validate_sign_hash(s.rsa_pss().hash_alg()) : kBad;
    case Sig::kEcdsa:
      return s.ecdsa().has_hash_alg() ? validate_sign_hash(s.ecdsa().hash_alg()) : kBad;
    case Sig::kDeterministicEcdsa:
      return s.deterministic_ecdsa().has_hash_alg() ? validate_sign_hash(s.deterministic_ecdsa().hash_alg()) : kBad;
    case Sig::kRsaPkcs1V15SignRaw:
    case Sig::kEcdsaAny:
      return kOk;
    default:
      return kBad;
  }
}

Status validate_encrypt_alg(const Algorithm::AsymmetricEncryption& a) {
  switch (a.variant_case()) {
    case Algorithm::AsymmetricEncryption::kRsaPkcs1V15Crypt:
      return kOk;
    case Algorithm::AsymmetricEncryption::kRsaOaep:
      return validate_hash(a.rsa_oaep().hash_alg());
    default:
      return kBad;
  }
}

Status validate_aead_alg(const Algorithm::Aead& a) {
  using A = Algorithm::Aead;
  switch (a.variant_case()) {
    case A::kAeadWithDefaultLengthTag:
      return (A::AeadWithDefaultLengthTag_IsValid(a.aead_with_default_length_tag()) &&
              a.aead_with_default_length_tag() != A::AEAD_WITH_DEFAULT_LENGTH_TAG_NONE)
                 ? kOk
                 : kBad;
    case A::kAeadWithShortenedTag:
      return (A::AeadWithDefaultLengthTag_IsValid(a.aead_with_shortened_tag().aead_alg()) &&
              a.aead_with_shortened_tag().aead_alg() != A::AEAD_WITH_DEFAULT_LENGTH_TAG_NONE)
                 ? kOk
                 : kBad;
    default:
      return kBad;
  }
}

Status validate_mac_alg(const Algorithm::Mac& m) {
  switch (m.variant_case()) {
    case Algorithm::Mac::kFullLength:
      return validate_full_mac(m.full_length());
    case Algorithm::Mac::kTruncated:
      if (!m.truncated().has_mac_alg()) {
        return kBad;
      }
      return validate_full_mac(m.truncated().mac_alg());
    default:
      return kBad;
  }
}

Status validate_algorithm(const Algorithm& a) {
  switch (a.variant_case()) {
    case Algorithm::kNone:
      return kOk;
    case Algorithm::kHash:
      return validate_hash(a.hash());
    case Algorithm::kMac:
      return validate_mac_alg(a.mac());
    case Algorithm::kCipher:
      return validate_cipher(a.cipher());
    case Algorithm::kAead:
      return validate_aead_alg(a.aead());
    case Algorithm::kAsymmetricSignature:
      return validate_sign_alg(a.asymmetric_signature());
    case Algorithm::kAsymmetricEncryption:
      return validate_encrypt_alg(a.asymmetric_encryption());
    case Algorithm::kKeyAgreement: {
      const auto& k = a.key_agreement();
      switch (k.variant_case()) {
        case Algorithm::KeyAgreement::kRaw:
          return validate_raw_agreement(k.raw());
        case Algorithm::KeyAgreement::kWithKeyDerivation:
          PARSEC_TRY(validate_raw_agreement(k.with_key_derivation().ka_alg()));
          if (!k.with_key_derivation().has_kdf_alg()) {
            return kBad;
          }
          return validate_kdf(k.with_key_derivation().kdf_alg());
        default:
          return kBad;
      }
    }
    case Algorithm::kKeyDerivation:
      return validate_kdf(a.key_derivation());
    default:
      return kBad;
  }
}

Status validate_attributes(const KeyAttributes& attrs) {
  if (!attrs.has_key_type() || !attrs.has_key_policy()) {
    return kBad;
  }
  const KeyType& t = attrs.key_type();
  switch (t.variant_case()) {
    case KeyType::kEccKeyPair:
      if (!KeyType::EccFamily_IsValid(t.ecc_key_pair().curve_family()) ||
          t.ecc_key_pair().curve_family() == KeyType::ECC_FAMILY_NONE) {
        return kBad;
      }
      break;
    case KeyType::kEccPublicKey:
      if (!KeyType::EccFamily_IsValid(t.ecc_public_key().curve_family()) ||
          t.ecc_public_key().curve_family() == KeyType::ECC_FAMILY_NONE) {
        return kBad;
      }
      break;
    case KeyType::kDhKeyPair:
      if (!KeyType::DhFamily_IsValid(t.dh_key_pair().group_family())) {
        return kBad;
      }
      break;
    case KeyType::kDhPublicKey:
      if (!KeyType::DhFamily_IsValid(t.dh_public_key().group_family())) {
        return kBad;
      }
      break;
    case KeyType::VARIANT_NOT_SET:
      return kBad;
    default:
      break;
  }
  const auto& p = attrs.key_policy();
  if (!p.has_key_usage_flags() || !p.has_key_algorithm()) {
    return kBad;
  }
  return validate_algorithm(p.key_algorithm());
}

void normalise_flags(KeyAttributes& attrs) {
  auto* f = attrs.mutable_key_policy()->mutable_key_usage_flags();
  if (f->sign_hash()) {
    f->set_sign_message(true);
  }
  if (f->verify_hash()) {
    f->set_verify_message(true);
  }
}

bool is_deprecated(const KeyAttributes& attrs) {
  const KeyType& t = attrs.key_type();
  if (t.has_des() || t.has_arc4()) {
    return true;
  }
  if (t.has_ecc_public_key()) {
    auto fam = t.ecc_public_key().curve_family();
    uint32_t bits = attrs.key_bits();
    if (fam == KeyType::SECP_R2 || fam == KeyType::SECT_R2 || (fam == KeyType::SECT_K1 && bits == 163) ||
        (fam == KeyType::SECT_R1 && bits == 163) || (fam == KeyType::BRAINPOOL_P_R1 && bits == 160)) {
      return true;
    }
  }
  return algorithm_deprecated(attrs.key_policy().key_algorithm());
}

bool is_public_key_type(const KeyAttributes& attrs) {
  const KeyType& t = attrs.key_type();
  return t.has_rsa_public_key() || t.has_ecc_public_key() || t.has_dh_public_key();
}

size_t digest_length(int hash) {
  switch (hash) {
    case Algorithm::MD2:
    case Algorithm::MD4:
    case Algorithm::MD5:
      return 16;
    case Algorithm::RIPEMD160:
    case Algorithm::SHA_1:
      return 20;
    case Algorithm::SHA_224:
    case Algorithm::SHA_512_224:
    case Algorithm::SHA3_224:
      return 28;
    case Algorithm::SHA_256:
    case Algorithm::SHA_512_256:
    case Algorithm::SHA3_256:
      return 32;
    case Algorithm::SHA_384:
    case Algorithm::SHA3_384:
      return 48;
    case Algorithm::SHA_512:
    case Algorithm::SHA3_512:
      return 64;
    default:
      return 0;
  }
}

bool permits(const Algorithm& pol, const Algorithm& req) {
  if (pol.has_none()) {
    return false;
  }
  if (pol.has_asymmetric_signature() && req.has_asymmetric_signature()) {
    const Sig& p = pol.asymmetric_signature();
    const Sig& r = req.asymmetric_signature();
    if (p.variant_case() != r.variant_case()) {
      return false;
    }
    const Sig::SignHash* ph = sign_scheme_hash(p);
    const Sig::SignHash* rh = sign_scheme_hash(r);
    if (!ph || !rh) {
      return true;  // raw schemes: identical variant is identical algorithm
    }
    if (rh->variant_case() != Sig::SignHash::kSpecific) {
      return false;  // a request naming `any` is never permitted
    }
    if (ph->variant_case() == Sig::SignHash::kAny) {
      return true;
    }
    return ph->variant_case() == Sig::SignHash::kSpecific && ph->specific() == rh->specific();
  }
  return google::protobuf::util::MessageDifferencer::Equals(pol, req);
}

bool compatible(const KeyType& t, const Algorithm& a) {
  switch (a.variant_case()) {
    case Algorithm::kMac: {
      const Algorithm::Mac::FullLength& f =
          a.mac().has_full_length() ? a.mac().full_length() : a.mac().truncated().mac_alg();
      if (f.has_hmac()) {
        return t.has_hmac();
      }
      return is_block_cipher_type(t);
    }
    case Algorithm::kCipher:
      if (a.cipher() == Algorithm::STREAM_CIPHER) {
        return t.has_chacha20() || t.has_arc4();
      }
      return is_block_cipher_type(t);
    case Algorithm::kAead: {
      int base = a.aead().has_aead_with_shortened_tag() ? a.aead().aead_with_shortened_tag().aead_alg()
                                                        : a.aead().aead_with_default_length_tag();
      if (base == Algorithm::Aead::CHACHA20_POLY1305) {
        return t.has_chacha20();
      }
      return t.has_aes() || t.has_camellia();
    }
    case Algorithm::kAsymmetricSignature: {
      const Sig& s = a.asymmetric_signature();
      bool rsa = t.has_rsa_key_pair() || t.has_rsa_public_key();
      bool ecc = t.has_ecc_key_pair() || t.has_ecc_public_key();
      switch (s.variant_case()) {
        case Sig::kRsaPkcs1V15Sign:
        case Sig::kRsaPkcs1V15SignRaw:
        case Sig::kRsaPss:
          return rsa;
        case Sig::kEcdsa:
        case Sig::kEcdsaAny:
        case Sig::kDeterministicEcdsa:
          return ecc;
        default:
          return false;
      }
    }
    case Algorithm::kAsymmetricEncryption:
      return t.has_rsa_key_pair() || t.has_rsa_public_key();
    case Algorithm::kKeyAgreement: {
      int raw = a.key_agreement().has_raw() ? a.key_agreement().raw() : a.key_agreement().with_key_derivation().ka_alg();
      if (raw == Algorithm::KeyAgreement::ECDH) {
        return t.has_ecc_key_pair() || t.has_ecc_public_key();
      }
      return t.has_dh_key_pair() || t.has_dh_public_key();
    }
    case Algorithm::kKeyDerivation:
      return t.has_derive();
    default:
      return false;
  }
}

Status check_usage_only(const KeyAttributes& key, Opcode op, std::string& why) {
  const auto& f = key.key_policy().key_usage_flags();
  bool ok = false;
  const char* flag = "";
  switch (op) {
    case Opcode::PsaSignHash:
      ok = f.sign_hash();
      flag = "sign_hash";
      break;
    case Opcode::PsaVerifyHash:
      ok = f.verify_hash();
      flag = "verify_hash";
      break;
    case Opcode::PsaSignMessage:
    case Opcode::PsaMacCompute:
      ok = f.sign_message() || f.sign_hash();
      flag = "sign_message";
      break;
    case Opcode::PsaVerifyMessage:
    case Opcode::PsaMacVerify:
      ok = f.verify_message() || f.verify_hash();
      flag = "verify_message";
      break;
    case Opcode::PsaAsymmetricEncrypt:
    case Opcode::PsaAeadEncrypt:
    case Opcode::PsaCipherEncrypt:
      ok = f.encrypt();
      flag = "encrypt";
      break;
    case Opcode::PsaAsymmetricDecrypt:
    case Opcode::PsaAeadDecrypt:
    case Opcode::PsaCipherDecrypt:
      ok = f.decrypt();
      flag = "decrypt";
      break;
    case Opcode::PsaRawKeyAgreement:
      ok = f.derive();
      flag = "derive";
      break;
    case Opcode::PsaExportKey:
      ok = f.export_();
      flag = "export";
      break;
    default:
      ok = true;
      break;
  }
  if (!ok) {
    why = std::string("the key's usage flags do not include ") + flag;
    return Status::PsaErrorNotPermitted;
  }
  return kOk;
}

Status check_key_use(const KeyAttributes& key, Opcode op, const Algorithm& requested, std::string& why) {
  PARSEC_TRY(check_usage_only(key, op, why));
  if (!permits(key.key_policy().key_algorithm(), requested)) {
    why = "the key's policy does not permit the requested algorithm";
    return Status::PsaErrorNotPermitted;
  }
  if (!compatible(key.key_type(), requested)) {
    why = "the key's type cannot be used with the requested algorithm";
    return Status::PsaErrorNotPermitted;
  }
  return kOk;
}

Status check_sign_hash_length(const Sig& alg, size_t hash_len, std::string& why) {
  const Sig::SignHash* h = sign_scheme_hash(alg);
  if (!h) {
    return kOk;  // raw PKCS#1 v1.5 and ECDSA-any accept any length
  }
  size_t want = digest_length(h->specific());
  if (hash_len != want) {
    why = "hash is " + std::to_string(hash_len) + " bytes but the algorithm's hash produces " + std::to_string(want);
    return Status::PsaErrorInvalidArgument;
  }
  return kOk;
}

Algorithm wrap(const Algorithm::AsymmetricSignature& a) {
  Algorithm out;
  *out.mutable_asymmetric_signature() = a;
  return out;
}
Algorithm wrap(const Algorithm::AsymmetricEncryption& a) {
  Algorithm out;
  *out.mutable_asymmetric_encryption() = a;
  return out;
}
Algorithm wrap(const Algorithm::Aead& a) {
  Algorithm out;
  *out.mutable_aead() = a;
  return out;
}
Algorithm wrap(const Algorithm::Mac& a) {
  Algorithm out;
  *out.mutable_mac() = a;
  return out;
}
Algorithm wrap_cipher(int cipher) {
  Algorithm out;
  out.set_cipher(static_cast<Algorithm::Cipher>(cipher));
  return out;
}
Algorithm wrap_raw_agreement(int raw) {
  Algorithm out;
  out.mutable_key_agreement()->set_raw(static_cast<Algorithm::KeyAgreement::Raw>(raw));
  return out;
}

}  // namespace parsec::service::policy
