#include "providers/mbed/src/psa_capabilities.h"

#include <psa/crypto.h>

#include <algorithm>
#include <initializer_list>
#include <string>

#include "providers/mbed/src/psa_convert.h"

namespace parsec::provider::mbed {
namespace {

using psa::AlgorithmKind;
using psa::Hash;
using psa::KeyType;
using Family = psa::EccFamily;

constexpr uint32_t kRsaBits[] = {1024, 2048, 3072, 4096};

struct Curve {
  Family family;
  uint32_t bits;
};

// The curves of this Mbed TLS build that PSA 2.28 creates keys on. Left out
// although the family exists: secp224k1 and Curve448 (PSA 2.28 refuses them),
// the binary-field and SECP_R2 families (not in Mbed TLS), FRP (no PSA id).
constexpr Curve kEccCurves[] = {
    {Family::SecpR1, 192},       {Family::SecpR1, 224},       {Family::SecpR1, 256},     {Family::SecpR1, 384},
    {Family::SecpR1, 521},       {Family::SecpK1, 192},       {Family::SecpK1, 256},     {Family::BrainpoolPR1, 256},
    {Family::BrainpoolPR1, 384}, {Family::BrainpoolPR1, 512}, {Family::Montgomery, 255},
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

// A key type as far as these rules care: the type and, for ECC, its family.
struct TypeOf {
  KeyType type;
  Family family;
};
TypeOf type_of(const psa::KeyAttributes& a) {
  return TypeOf{a.type, a.family};
}

bool is_rsa(const TypeOf& t) {
  return psa::is_rsa_key_type(t.type);
}
bool is_ecc(const TypeOf& t) {
  return psa::is_ecc_key_type(t.type);
}
bool is_dh(const TypeOf& t) {
  return psa::is_dh_key_type(t.type);
}
bool is_public(const TypeOf& t) {
  return psa::is_public_key_type(t.type);
}
bool is(const TypeOf& t, KeyType k) {
  return t.type == k;
}

// hash_supported: the hashes of this build (no SHA-3, no SHA-512/t in 2.28).
bool hash_supported(Hash h) {
  switch (h) {
    case Hash::Md2:
    case Hash::Md4:
    case Hash::Md5:
    case Hash::Ripemd160:
    case Hash::Sha1:
    case Hash::Sha224:
    case Hash::Sha256:
    case Hash::Sha384:
    case Hash::Sha512:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool hash_in_build(Hash h) {
  return hash_supported(h);
}

namespace {

size_t digest_length(Hash h) {
  Result<psa_algorithm_t> alg = to_psa_hash(h);
  return alg.ok() ? PSA_HASH_LENGTH(*alg) : 0;
}

// symmetric_size_ok: the sizes PSA accepts for the unstructured key types.
bool symmetric_size_ok(const TypeOf& t, uint32_t bits) {
  if (is(t, KeyType::Aes) || is(t, KeyType::Camellia)) {
    return in({128, 192, 256}, bits);
  }
  if (is(t, KeyType::Des)) {
    return in({64, 128, 192}, bits);
  }
  if (is(t, KeyType::Arc4)) {
    return bits >= 8 && bits <= 2048 && bits % 8 == 0;
  }
  if (is(t, KeyType::Chacha20)) {
    return bits == 256;
  }
  // HMAC, Derive, RawData.
  return bits != 0 && bits % 8 == 0 && bits <= PSA_MAX_KEY_BITS;
}

// size_ok: whether a key of this type and size can exist here; key_bits 0
// ("any size") only where `zero_ok`.
bool size_ok(const TypeOf& t, uint32_t bits, bool zero_ok) {
  if (bits == 0) {
    return zero_ok && !is_dh(t) && (!is_ecc(t) || family_supported(t.family));
  }
  if (is_rsa(t)) {
    return in(kRsaBits, bits);
  }
  if (is_ecc(t)) {
    return curve_supported(t.family, bits);
  }
  if (is_dh(t)) {
    return false;
  }
  return symmetric_size_ok(t, bits);
}

// compatible is the key type / algorithm table of docs/protocol.md, operations §11.11.
bool compatible(const TypeOf& t, const Algorithm& a) {
  const bool block = is(t, KeyType::Aes) || is(t, KeyType::Camellia) || is(t, KeyType::Des);
  if (a.is_mac()) {
    return a.kind() == AlgorithmKind::Hmac ? is(t, KeyType::Hmac) : block;
  }
  switch (a.kind()) {
    case AlgorithmKind::Cipher:
      return a.cipher_mode() == psa::Cipher::StreamCipher ? (is(t, KeyType::Chacha20) || is(t, KeyType::Arc4)) : block;
    case AlgorithmKind::Aead:
      return a.aead_alg() == psa::AeadAlgorithm::Chacha20Poly1305 ? is(t, KeyType::Chacha20)
                                                                  : (is(t, KeyType::Aes) || is(t, KeyType::Camellia));
    case AlgorithmKind::RsaPkcs1v15Sign:
    case AlgorithmKind::RsaPkcs1v15SignRaw:
    case AlgorithmKind::RsaPss:
      return is_rsa(t);
    case AlgorithmKind::Ecdsa:
    case AlgorithmKind::EcdsaAny:
    case AlgorithmKind::DeterministicEcdsa:
      return is_ecc(t);
    case AlgorithmKind::RsaPkcs1v15Crypt:
    case AlgorithmKind::RsaOaep:
      return is_rsa(t);
    case AlgorithmKind::RawKeyAgreement:
    case AlgorithmKind::KeyAgreementWithDerivation:
      return a.key_agreement_alg() == psa::RawKeyAgreement::Ecdh ? is_ecc(t) : is_dh(t);
    case AlgorithmKind::Hkdf:
    case AlgorithmKind::Tls12Prf:
    case AlgorithmKind::Tls12PskToMs:
      return is(t, KeyType::Derive);
    default:  // none, hash: no key type
      return false;
  }
}

// sign_hash_of returns the specific hash of a hash-and-sign scheme, None for
// the `Any` wildcard and for the raw schemes.
Hash sign_hash_of(const Algorithm& s) {
  if (!s.has_sign_hash() || s.hash_alg() == Hash::Any) {
    return Hash::None;
  }
  return s.hash_alg();
}

// The tag lengths Mbed TLS 2.28 produces for each AEAD.
bool tag_length_ok(psa::AeadAlgorithm base, uint32_t tag) {
  switch (base) {
    case psa::AeadAlgorithm::Ccm:
      return in({4, 6, 8, 10, 12, 14, 16}, tag);
    case psa::AeadAlgorithm::Gcm:
      return tag >= 4 && tag <= 16;
    case psa::AeadAlgorithm::Chacha20Poly1305:
      return tag == 16;
    default:
      return false;
  }
}

bool cipher_supported(const TypeOf& t, uint32_t bits, psa::Cipher mode) {
  const bool is_ecb_cbc =
      mode == psa::Cipher::EcbNoPadding || mode == psa::Cipher::CbcNoPadding || mode == psa::Cipher::CbcPkcs7;
  if (is(t, KeyType::Aes)) {
    return is_ecb_cbc || mode == psa::Cipher::Ctr || mode == psa::Cipher::Cfb || mode == psa::Cipher::Ofb;
  }
  if (is(t, KeyType::Camellia)) {
    return is_ecb_cbc || mode == psa::Cipher::Ctr || mode == psa::Cipher::Cfb;
  }
  if (is(t, KeyType::Des)) {
    return is_ecb_cbc;
  }
  if (is(t, KeyType::Chacha20)) {
    return mode == psa::Cipher::StreamCipher;
  }
  if (is(t, KeyType::Arc4)) {
    // The legacy cipher table behind PSA 2.28 only knows 128-bit ARC4.
    return mode == psa::Cipher::StreamCipher && (bits == 0 || bits == 128);
  }
  return false;
}

bool mac_supported(const TypeOf& t, uint32_t bits, const Algorithm& mac) {
  size_t full = 0;
  if (mac.kind() == AlgorithmKind::Hmac) {
    if (!hash_supported(mac.hash_alg())) {
      return false;
    }
    full = digest_length(mac.hash_alg());
  } else if (mac.kind() == AlgorithmKind::Cmac) {
    // Mbed TLS's CMAC runs over AES and three-key 3DES only.
    if (!(is(t, KeyType::Aes) || (is(t, KeyType::Des) && (bits == 0 || bits == 192)))) {
      return false;
    }
    full = is(t, KeyType::Aes) ? 16 : 8;
  } else {
    return false;  // CBC-MAC is not implemented by PSA 2.28
  }
  if (mac.is_truncated()) {
    // PSA 2.28 refuses MACs cut below 4 bytes.
    return mac.length() >= 4 && mac.length() <= full;
  }
  return true;
}

bool kdf_supported(AlgorithmKind kind, Hash h) {
  switch (kind) {
    case AlgorithmKind::Hkdf:
      return hash_supported(h);
    case AlgorithmKind::Tls12Prf:
    case AlgorithmKind::Tls12PskToMs:
      return h == Hash::Sha256 || h == Hash::Sha384;
    default:
      return false;
  }
}

// algorithm_supported: this build runs `a` with a key of type `t` and size
// `bits` (0: some size of that type); `a` is compatible with `t` already.
bool algorithm_supported(const TypeOf& t, uint32_t bits, const Algorithm& a) {
  if (a.is_asymmetric_signature()) {
    const Hash h = sign_hash_of(a);
    if (h != Hash::None && !hash_supported(h)) {
      return false;
    }
    // (RSA-PSS fits any hash in any size: where a salt as long as the hash
    // does not fit, Mbed TLS 2.28 shortens the salt.)
    // ECDSA needs a Weierstrass curve.
    return !is_ecc(t) || t.family != Family::Montgomery;
  }
  if (a.is_asymmetric_encryption()) {
    if (a.kind() != AlgorithmKind::RsaOaep) {
      return true;
    }
    const Hash h = a.hash_alg();
    // OAEP carries at most k - 2 * hash - 2 bytes; a plaintext is never empty.
    return hash_supported(h) && (bits == 0 || 2 * digest_length(h) + 2 < bits / 8);
  }
  if (a.is_aead()) {
    return !a.is_truncated() || tag_length_ok(a.aead_alg(), a.length());
  }
  if (a.kind() == AlgorithmKind::Cipher) {
    return cipher_supported(t, bits, a.cipher_mode());
  }
  if (a.is_mac()) {
    return mac_supported(t, bits, a);
  }
  if (a.is_key_agreement()) {
    // Only ECDH (FFDH is not in 2.28), and only with a private key.
    if (!is(t, KeyType::EccKeyPair)) {
      return false;
    }
    return a.kind() == AlgorithmKind::RawKeyAgreement || kdf_supported(a.kdf_kind(), a.hash_alg());
  }
  if (a.is_key_derivation()) {
    return kdf_supported(a.kind(), a.hash_alg());
  }
  return false;
}

bool has_use_flag(const psa::UsageFlags& f) {
  return f.encrypt || f.decrypt || f.sign_hash || f.sign_message || f.verify_hash || f.verify_message;
}

// use_check is the Use check; `rsa_any_size` lets key_bits 0 stand for "any
// supported size" for RSA too (an Import check, where the size will come from
// the data).
Status use_check(const KeyAttributes& a, bool rsa_any_size) {
  const Algorithm& alg = a.policy;
  const TypeOf t = type_of(a);
  if (alg.kind() == AlgorithmKind::None || !has_use_flag(a.flags) || !compatible(t, alg)) {
    return Status::PsaErrorNotSupported;
  }
  // Outside an import, RSA needs a defined size (docs/protocol.md, operations §10.3); for the
  // other types 0 stands for "some size".
  if (!size_ok(t, a.bits, rsa_any_size || !is_rsa(t))) {
    return Status::PsaErrorNotSupported;
  }
  return algorithm_supported(t, a.bits, alg) ? Status::Success : Status::PsaErrorNotSupported;
}

}  // namespace

Outcome check_creation(const KeyAttributes& attributes, Creation how) {
  const TypeOf type = type_of(attributes);
  const uint32_t bits = attributes.bits;
  const std::string bits_text = std::to_string(bits);
  if (type.type == KeyType::None) {
    return Outcome(Status::PsaErrorInvalidArgument, "no key type");
  }
  if (how == Creation::Generate && is_public(type)) {
    return Outcome(Status::PsaErrorInvalidArgument,
                   std::string("a public key (") + psa::key_type_name(type.type) + ") cannot be generated");
  }
  if (is_dh(type)) {
    return Outcome(Status::PsaErrorNotSupported, "Mbed TLS 2.28 has no finite-field Diffie-Hellman");
  }
  if (is_rsa(type)) {
    if (bits == 0) {
      return how == Creation::Import ? Outcome() : Outcome(Status::PsaErrorInvalidArgument, "an RSA key needs a size");
    }
    return in(kRsaBits, bits) ? Outcome()
                              : Outcome(Status::PsaErrorInvalidArgument,
                                        "RSA keys are 1024, 2048, 3072 or 4096 bits, not " + bits_text);
  }
  if (is_ecc(type)) {
    if (type.family == Family::None) {
      return Outcome(Status::PsaErrorInvalidArgument, "an ECC key needs a curve family");
    }
    if (!family_supported(type.family)) {
      return Outcome(Status::PsaErrorNotSupported,
                     std::string("curve family ") + psa::ecc_family_name(type.family) + " is not supported");
    }
    if (bits == 0) {
      return how == Creation::Import ? Outcome() : Outcome(Status::PsaErrorInvalidArgument, "an ECC key needs a size");
    }
    return curve_supported(type.family, bits)
               ? Outcome()
               : Outcome(Status::PsaErrorNotSupported,
                         std::string("no ") + bits_text + "-bit curve in family " + psa::ecc_family_name(type.family));
  }
  return Outcome();
}

Outcome check_imported_size(const KeyAttributes& attributes, size_t bits) {
  const TypeOf type = type_of(attributes);
  if (is_rsa(type)) {
    return bits <= 4096 && in(kRsaBits, static_cast<uint32_t>(bits))
               ? Outcome()
               : Outcome(Status::PsaErrorInvalidArgument,
                         "imported RSA key has " + std::to_string(bits) + " bits, not 1024, 2048, 3072 or 4096");
  }
  if (is_ecc(type)) {
    return bits <= 521 && curve_supported(type.family, static_cast<uint32_t>(bits))
               ? Outcome()
               : Outcome(Status::PsaErrorNotSupported,
                         "imported ECC key is on an unsupported " + std::to_string(bits) + "-bit curve");
  }
  return Outcome();
}

Status can_do(CanDoCheck check, const KeyAttributes& attributes) {
  PsaAttributes psa_attrs;
  if (!to_psa_attributes(attributes, psa_attrs).ok()) {
    return Status::PsaErrorNotSupported;
  }
  const TypeOf type = type_of(attributes);
  switch (check) {
    case CanDoCheck::Use:
      return use_check(attributes, false);
    case CanDoCheck::Generate:
      if (is_public(type) || !size_ok(type, attributes.bits, false)) {
        return Status::PsaErrorNotSupported;
      }
      break;
    case CanDoCheck::Import:
      if (!size_ok(type, attributes.bits, true)) {
        return Status::PsaErrorNotSupported;
      }
      break;
    case CanDoCheck::Derive:
      return Status::PsaErrorNotSupported;
  }
  if (attributes.policy.kind() == AlgorithmKind::None) {
    return Status::Success;
  }
  return use_check(attributes, check == CanDoCheck::Import);
}

}  // namespace parsec::provider::mbed
