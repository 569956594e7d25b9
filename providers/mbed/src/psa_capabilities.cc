// PSA side (see psa_values.h): never include provider.h or an operation
// contract here.
#include "psa_capabilities.h"

#include <psa/crypto.h>

#include <algorithm>
#include <initializer_list>

#include "psa_convert.h"

namespace parsec::provider::mbed {
namespace {

using psa_algorithm::Algorithm;
using psa_algorithm::Algorithm_Aead;
using psa_algorithm::Algorithm_AsymmetricSignature;
using psa_algorithm::Algorithm_Hash;
using psa_algorithm::Algorithm_Mac_FullLength;
using psa_key_attributes::KeyType;
using Family = psa_key_attributes::KeyType_EccFamily;

constexpr uint32_t kRsaBits[] = {1024, 2048, 3072, 4096};

struct Curve {
  Family family;
  uint32_t bits;
};

// The curves of this Mbed TLS build that PSA 2.28 creates keys on. Left out
// although the family exists: secp224k1 and Curve448 (PSA 2.28 refuses them),
// the binary-field and SECP_R2 families (not in Mbed TLS), FRP (no PSA id).
constexpr Curve kEccCurves[] = {
    {psa_key_attributes::KeyType_EccFamily_SECP_R1, 192},
    {psa_key_attributes::KeyType_EccFamily_SECP_R1, 224},
    {psa_key_attributes::KeyType_EccFamily_SECP_R1, 256},
    {psa_key_attributes::KeyType_EccFamily_SECP_R1, 384},
    {psa_key_attributes::KeyType_EccFamily_SECP_R1, 521},
    {psa_key_attributes::KeyType_EccFamily_SECP_K1, 192},
    {psa_key_attributes::KeyType_EccFamily_SECP_K1, 256},
    {psa_key_attributes::KeyType_EccFamily_BRAINPOOL_P_R1, 256},
    {psa_key_attributes::KeyType_EccFamily_BRAINPOOL_P_R1, 384},
    {psa_key_attributes::KeyType_EccFamily_BRAINPOOL_P_R1, 512},
    {psa_key_attributes::KeyType_EccFamily_MONTGOMERY, 255},
};

bool in(std::initializer_list<uint32_t> values, uint32_t v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

template <size_t N>
bool in(const uint32_t (&values)[N], uint32_t v) {
  return std::find(std::begin(values), std::end(values), v) != std::end(values);
}

bool family_supported(Family f) {
  return std::any_of(std::begin(kEccCurves), std::end(kEccCurves), [f](const Curve& c) { return c.family == f; });
}

bool curve_supported(Family f, uint32_t bits) {
  return std::any_of(std::begin(kEccCurves), std::end(kEccCurves),
                     [f, bits](const Curve& c) { return c.family == f && c.bits == bits; });
}

bool is_rsa(const KeyType& t) { return t.has_rsa_key_pair() || t.has_rsa_public_key(); }
bool is_ecc(const KeyType& t) { return t.has_ecc_key_pair() || t.has_ecc_public_key(); }
bool is_dh(const KeyType& t) { return t.has_dh_key_pair() || t.has_dh_public_key(); }
bool is_public(const KeyType& t) { return t.has_rsa_public_key() || t.has_ecc_public_key() || t.has_dh_public_key(); }

Family ecc_family(const KeyType& t) {
  return t.has_ecc_key_pair() ? t.ecc_key_pair().curve_family() : t.ecc_public_key().curve_family();
}

// hash_supported: the hashes of this build (no SHA-3, no SHA-512/t in 2.28).
bool hash_supported(Algorithm_Hash h) {
  switch (h) {
    case psa_algorithm::Algorithm_Hash_MD2:
    case psa_algorithm::Algorithm_Hash_MD4:
    case psa_algorithm::Algorithm_Hash_MD5:
    case psa_algorithm::Algorithm_Hash_RIPEMD160:
    case psa_algorithm::Algorithm_Hash_SHA_1:
    case psa_algorithm::Algorithm_Hash_SHA_224:
    case psa_algorithm::Algorithm_Hash_SHA_256:
    case psa_algorithm::Algorithm_Hash_SHA_384:
    case psa_algorithm::Algorithm_Hash_SHA_512:
      return true;
    default:
      return false;
  }
}

size_t hash_length(Algorithm_Hash h) {
  Result<psa_algorithm_t> alg = to_psa_hash(h);
  return alg.ok() ? PSA_HASH_LENGTH(*alg) : 0;
}

// symmetric_size_ok: the sizes PSA accepts for the unstructured key types.
bool symmetric_size_ok(const KeyType& t, uint32_t bits) {
  if (t.has_aes() || t.has_camellia()) {
    return in({128, 192, 256}, bits);
  }
  if (t.has_des()) {
    return in({64, 128, 192}, bits);
  }
  if (t.has_arc4()) {
    return bits >= 8 && bits <= 2048 && bits % 8 == 0;
  }
  if (t.has_chacha20()) {
    return bits == 256;
  }
  // HMAC, Derive, RawData.
  return bits != 0 && bits % 8 == 0 && bits <= PSA_MAX_KEY_BITS;
}

// size_ok: whether a key of this type and size can exist here; key_bits 0
// ("any size") only where `zero_ok`.
bool size_ok(const KeyType& t, uint32_t bits, bool zero_ok) {
  if (bits == 0) {
    return zero_ok && !is_dh(t) && (!is_ecc(t) || family_supported(ecc_family(t)));
  }
  if (is_rsa(t)) {
    return in(kRsaBits, bits);
  }
  if (is_ecc(t)) {
    return curve_supported(ecc_family(t), bits);
  }
  if (is_dh(t)) {
    return false;
  }
  return symmetric_size_ok(t, bits);
}

// compatible is the key type / algorithm table of operations.md §11.11.
bool compatible(const KeyType& t, const Algorithm& a) {
  const bool block = t.has_aes() || t.has_camellia() || t.has_des();
  switch (a.variant_case()) {
    case Algorithm::kMac: {
      const Algorithm_Mac_FullLength& f =
          a.mac().has_full_length() ? a.mac().full_length() : a.mac().truncated().mac_alg();
      return f.has_hmac() ? t.has_hmac() : block;
    }
    case Algorithm::kCipher:
      return a.cipher() == psa_algorithm::Algorithm_Cipher_STREAM_CIPHER ? (t.has_chacha20() || t.has_arc4()) : block;
    case Algorithm::kAead: {
      const auto base = a.aead().has_aead_with_shortened_tag() ? a.aead().aead_with_shortened_tag().aead_alg()
                                                               : a.aead().aead_with_default_length_tag();
      return base == psa_algorithm::Algorithm_Aead_AeadWithDefaultLengthTag_CHACHA20_POLY1305
                 ? t.has_chacha20()
                 : (t.has_aes() || t.has_camellia());
    }
    case Algorithm::kAsymmetricSignature:
      switch (a.asymmetric_signature().variant_case()) {
        case Algorithm_AsymmetricSignature::kRsaPkcs1V15Sign:
        case Algorithm_AsymmetricSignature::kRsaPkcs1V15SignRaw:
        case Algorithm_AsymmetricSignature::kRsaPss:
          return is_rsa(t);
        case Algorithm_AsymmetricSignature::kEcdsa:
        case Algorithm_AsymmetricSignature::kEcdsaAny:
        case Algorithm_AsymmetricSignature::kDeterministicEcdsa:
          return is_ecc(t);
        default:
          return false;
      }
    case Algorithm::kAsymmetricEncryption:
      return is_rsa(t);
    case Algorithm::kKeyAgreement: {
      const auto raw = a.key_agreement().has_raw() ? a.key_agreement().raw()
                                                   : a.key_agreement().with_key_derivation().ka_alg();
      return raw == psa_algorithm::Algorithm_KeyAgreement_Raw_ECDH ? is_ecc(t) : is_dh(t);
    }
    case Algorithm::kKeyDerivation:
      return t.has_derive();
    default:  // none, hash: no key type
      return false;
  }
}

// sign_hash_of returns the specific hash of a hash-and-sign scheme, HASH_NONE
// for the `any` wildcard and for the raw schemes.
Algorithm_Hash sign_hash_of(const Algorithm_AsymmetricSignature& s) {
  const psa_algorithm::Algorithm_AsymmetricSignature_SignHash* h = nullptr;
  switch (s.variant_case()) {
    case Algorithm_AsymmetricSignature::kRsaPkcs1V15Sign:
      h = &s.rsa_pkcs1v15_sign().hash_alg();
      break;
    case Algorithm_AsymmetricSignature::kRsaPss:
      h = &s.rsa_pss().hash_alg();
      break;
    case Algorithm_AsymmetricSignature::kEcdsa:
      h = &s.ecdsa().hash_alg();
      break;
    case Algorithm_AsymmetricSignature::kDeterministicEcdsa:
      h = &s.deterministic_ecdsa().hash_alg();
      break;
    default:
      return psa_algorithm::Algorithm_Hash_HASH_NONE;
  }
  return h->has_specific() ? h->specific() : psa_algorithm::Algorithm_Hash_HASH_NONE;
}

// The tag lengths Mbed TLS 2.28 produces for each AEAD.
bool tag_length_ok(psa_algorithm::Algorithm_Aead_AeadWithDefaultLengthTag base, uint32_t tag) {
  switch (base) {
    case psa_algorithm::Algorithm_Aead_AeadWithDefaultLengthTag_CCM:
      return in({4, 6, 8, 10, 12, 14, 16}, tag);
    case psa_algorithm::Algorithm_Aead_AeadWithDefaultLengthTag_GCM:
      return tag >= 4 && tag <= 16;
    case psa_algorithm::Algorithm_Aead_AeadWithDefaultLengthTag_CHACHA20_POLY1305:
      return tag == 16;
    default:
      return false;
  }
}

bool cipher_supported(const KeyType& t, uint32_t bits, psa_algorithm::Algorithm_Cipher mode) {
  const psa_algorithm::Algorithm_Cipher ecb_cbc[] = {psa_algorithm::Algorithm_Cipher_ECB_NO_PADDING,
                                                     psa_algorithm::Algorithm_Cipher_CBC_NO_PADDING,
                       psa_algorithm::Algorithm_Cipher_CBC_PKCS7};
  const bool is_ecb_cbc = std::find(std::begin(ecb_cbc), std::end(ecb_cbc), mode) != std::end(ecb_cbc);
  if (t.has_aes()) {
    return is_ecb_cbc || mode == psa_algorithm::Algorithm_Cipher_CTR || mode == psa_algorithm::Algorithm_Cipher_CFB ||
           mode == psa_algorithm::Algorithm_Cipher_OFB;
  }
  if (t.has_camellia()) {
    return is_ecb_cbc || mode == psa_algorithm::Algorithm_Cipher_CTR || mode == psa_algorithm::Algorithm_Cipher_CFB;
  }
  if (t.has_des()) {
    return is_ecb_cbc;
  }
  if (t.has_chacha20()) {
    return mode == psa_algorithm::Algorithm_Cipher_STREAM_CIPHER;
  }
  if (t.has_arc4()) {
    // The legacy cipher table behind PSA 2.28 only knows 128-bit ARC4.
    return mode == psa_algorithm::Algorithm_Cipher_STREAM_CIPHER && (bits == 0 || bits == 128);
  }
  return false;
}

bool mac_supported(const KeyType& t, uint32_t bits, const psa_algorithm::Algorithm_Mac& mac) {
  const Algorithm_Mac_FullLength& f = mac.has_full_length() ? mac.full_length() : mac.truncated().mac_alg();
  size_t full = 0;
  if (f.has_hmac()) {
    if (!hash_supported(f.hmac().hash_alg())) {
      return false;
    }
    full = hash_length(f.hmac().hash_alg());
  } else if (f.has_cmac()) {
    // Mbed TLS's CMAC runs over AES and three-key 3DES only.
    if (!(t.has_aes() || (t.has_des() && (bits == 0 || bits == 192)))) {
      return false;
    }
    full = t.has_aes() ? 16 : 8;
  } else {
    return false;  // CBC-MAC is not implemented by PSA 2.28
  }
  if (mac.has_truncated()) {
    // PSA 2.28 refuses MACs cut below 4 bytes.
    return mac.truncated().mac_length() >= 4 && mac.truncated().mac_length() <= full;
  }
  return true;
}

bool kdf_supported(const psa_algorithm::Algorithm_KeyDerivation& k) {
  switch (k.variant_case()) {
    case psa_algorithm::Algorithm_KeyDerivation::kHkdf:
      return hash_supported(k.hkdf().hash_alg());
    case psa_algorithm::Algorithm_KeyDerivation::kTls12Prf:
      return in({psa_algorithm::Algorithm_Hash_SHA_256, psa_algorithm::Algorithm_Hash_SHA_384},
                static_cast<uint32_t>(k.tls12_prf().hash_alg()));
    case psa_algorithm::Algorithm_KeyDerivation::kTls12PskToMs:
      return in({psa_algorithm::Algorithm_Hash_SHA_256, psa_algorithm::Algorithm_Hash_SHA_384},
                static_cast<uint32_t>(k.tls12_psk_to_ms().hash_alg()));
    default:
      return false;
  }
}

// algorithm_supported: this build runs `a` with a key of type `t` and size
// `bits` (0: some size of that type); `a` is compatible with `t` already.
bool algorithm_supported(const KeyType& t, uint32_t bits, const Algorithm& a) {
  switch (a.variant_case()) {
    case Algorithm::kAsymmetricSignature: {
      const Algorithm_AsymmetricSignature& s = a.asymmetric_signature();
      const Algorithm_Hash h = sign_hash_of(s);
      if (h != psa_algorithm::Algorithm_Hash_HASH_NONE && !hash_supported(h)) {
        return false;
      }
      // (RSA-PSS fits any hash in any size: where a salt as long as the hash
      // does not fit, Mbed TLS 2.28 shortens the salt.)
      // ECDSA needs a Weierstrass curve.
      return !is_ecc(t) || ecc_family(t) != psa_key_attributes::KeyType_EccFamily_MONTGOMERY;
    }
    case Algorithm::kAsymmetricEncryption: {
      if (!a.asymmetric_encryption().has_rsa_oaep()) {
        return true;
      }
      const Algorithm_Hash h = a.asymmetric_encryption().rsa_oaep().hash_alg();
      // OAEP carries at most k - 2 * hash - 2 bytes; a plaintext is never empty.
      return hash_supported(h) && (bits == 0 || 2 * hash_length(h) + 2 < bits / 8);
    }
    case Algorithm::kAead: {
      if (a.aead().has_aead_with_shortened_tag()) {
        const auto& shortened = a.aead().aead_with_shortened_tag();
        return tag_length_ok(shortened.aead_alg(), shortened.tag_length());
      }
      return true;
    }
    case Algorithm::kCipher:
      return cipher_supported(t, bits, a.cipher());
    case Algorithm::kMac:
      return mac_supported(t, bits, a.mac());
    case Algorithm::kKeyAgreement: {
      // Only ECDH (FFDH is not in 2.28), and only with a private key.
      const auto& ka = a.key_agreement();
      if (!t.has_ecc_key_pair()) {
        return false;
      }
      return ka.has_raw() || kdf_supported(ka.with_key_derivation().kdf_alg());
    }
    case Algorithm::kKeyDerivation:
      return kdf_supported(a.key_derivation());
    default:
      return false;
  }
}

bool has_use_flag(const psa_key_attributes::UsageFlags& f) {
  return f.encrypt() || f.decrypt() || f.sign_hash() || f.sign_message() || f.verify_hash() || f.verify_message();
}

// use_check is the Use check; `rsa_any_size` lets key_bits 0 stand for "any
// supported size" for RSA too (an Import check, where the size will come from
// the data).
Status use_check(const KeyAttributes& a, bool rsa_any_size) {
  const Algorithm& alg = a.key_policy().key_algorithm();
  if (alg.has_none() || !has_use_flag(a.key_policy().key_usage_flags()) || !compatible(a.key_type(), alg)) {
    return Status::PsaErrorNotSupported;
  }
  // Outside an import, RSA needs a defined size (operations.md §10.3); for the
  // other types 0 stands for "some size".
  if (!size_ok(a.key_type(), a.key_bits(), rsa_any_size || !is_rsa(a.key_type()))) {
    return Status::PsaErrorNotSupported;
  }
  return algorithm_supported(a.key_type(), a.key_bits(), alg) ? Status::Success : Status::PsaErrorNotSupported;
}

}  // namespace

Status check_creation(const KeyAttributes& attributes, Creation how) {
  const KeyType& type = attributes.key_type();
  const uint32_t bits = attributes.key_bits();
  if (type.variant_case() == KeyType::VARIANT_NOT_SET) {
    return Status::PsaErrorInvalidArgument;
  }
  if (how == Creation::Generate && is_public(type)) {
    return Status::PsaErrorInvalidArgument;
  }
  if (is_dh(type)) {
    return Status::PsaErrorNotSupported;
  }
  if (is_rsa(type)) {
    if (bits == 0) {
      return how == Creation::Import ? Status::Success : Status::PsaErrorInvalidArgument;
    }
    return in(kRsaBits, bits) ? Status::Success : Status::PsaErrorInvalidArgument;
  }
  if (is_ecc(type)) {
    const Family family = ecc_family(type);
    if (family == psa_key_attributes::KeyType_EccFamily_ECC_FAMILY_NONE) {
      return Status::PsaErrorInvalidArgument;
    }
    if (!family_supported(family)) {
      return Status::PsaErrorNotSupported;
    }
    if (bits == 0) {
      return how == Creation::Import ? Status::Success : Status::PsaErrorInvalidArgument;
    }
    return curve_supported(family, bits) ? Status::Success : Status::PsaErrorNotSupported;
  }
  return Status::Success;
}

Status check_imported_size(const KeyType& type, size_t bits) {
  if (is_rsa(type)) {
    return bits <= 4096 && in(kRsaBits, static_cast<uint32_t>(bits)) ? Status::Success
                                                                     : Status::PsaErrorInvalidArgument;
  }
  if (is_ecc(type)) {
    return bits <= 521 && curve_supported(ecc_family(type), static_cast<uint32_t>(bits))
               ? Status::Success
               : Status::PsaErrorNotSupported;
  }
  return Status::Success;
}

Status can_do(CanDoCheck check, const KeyAttributes& attributes) {
  PsaAttributes psa_attrs;
  if (to_psa_attributes(attributes, psa_attrs) != Status::Success) {
    return Status::PsaErrorNotSupported;
  }
  const KeyType& type = attributes.key_type();
  switch (check) {
    case CanDoCheck::Use:
      return use_check(attributes, false);
    case CanDoCheck::Generate:
      if (is_public(type) || !size_ok(type, attributes.key_bits(), false)) {
        return Status::PsaErrorNotSupported;
      }
      break;
    case CanDoCheck::Import:
      if (!size_ok(type, attributes.key_bits(), true)) {
        return Status::PsaErrorNotSupported;
      }
      break;
    case CanDoCheck::Derive:
      return Status::PsaErrorNotSupported;
  }
  if (attributes.key_policy().key_algorithm().has_none()) {
    return Status::Success;
  }
  return use_check(attributes, check == CanDoCheck::Import);
}

}  // namespace parsec::provider::mbed
